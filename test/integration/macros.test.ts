import { ApplyMacroDocument, CreateMacroDocument, DeleteMacroDocument, MacrosDocument, NodeMacroOrViewDocument, TicketCommentsDocument, UpdateMacroDocument } from '../__generated__/graphql';
import { TicketEvent } from '../../src/modules/tickets/ticket-event.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import { writesNothing } from '../setup/writes-nothing';

let app: TestApp;
let agent: make.Staff;
let otherAgent: make.Staff;
let admin: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let carol: make.Customer;

beforeAll(async () => {
  app = await startTestApp();
  agent = await make.staffUser(app, Role.AGENT, 'Ada Agent');
  otherAgent = await make.staffUser(app);
  admin = await make.staffUser(app, Role.ADMIN);
  acme = await make.business(app, { name: 'Acme Ltd' });
  carol = await make.customer(app, acme);
});
afterAll(() => app.stop());

const TABLES = ['macro', 'ticket', 'ticket_event', 'comment', 'ticket_tag', 'tag'] as const;

async function macro(token: string, input: Record<string, unknown>) {
  const res = await app.gql(CreateMacroDocument, { input: { name: 'Macro', ...input } as never }, token);
  expect(res.errors).toBeUndefined();
  return res.data!.createMacro;
}

async function ticketOfCarol(status = TicketStatus.IN_PROGRESS) {
  const t = await make.ticket(app, { business: acme, status, tags: ['triage'], title: 'Printer on fire' });
  await app.em().nativeUpdate(Ticket, { id: t.id }, { contact: carol.contact.id });
  return t;
}

describe('saving macros', () => {
  it('refuses unknown placeholders, naming them, and writes nothing', async () => {
    await writesNothing(app, ['macro'], async () => {
      const res = await app.gql(CreateMacroDocument, { input: { name: 'Bad', commentBody: 'Hi {{contact.name}}, {{ contact.phone }} and {{ticket.secret}}' } }, agent.token);
      expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'commentBody' });
      expect(res.errors![0].message).toMatch(/^Unknown placeholders: \{\{contact\.phone\}\}, \{\{ticket\.secret\}\}\. Known: /);
      const nothing = await app.gql(CreateMacroDocument, { input: { name: 'Empty' } }, agent.token);
      expect(nothing.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
      const both = await app.gql(CreateMacroDocument, { input: { name: 'Both', addTags: ['x'], removeTags: ['X'] } }, agent.token);
      expect(both.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'removeTags' });
    });
  });

  it('keeps personal macros to their owner; shared ones are made and changed by admins only', async () => {
    const mine = await macro(agent.token, { name: 'Mine', priority: 'HIGH' });
    expect(mine).toMatchObject({ shared: false, owner: { id: agent.user.globalId } });
    const theirs = await macro(otherAgent.token, { name: 'Theirs', priority: 'LOW' });
    await writesNothing(app, ['macro'], async () => {
      const notAdmin = await app.gql(CreateMacroDocument, { input: { name: 'Team', priority: 'LOW' as never, shared: true } }, agent.token);
      expect(notAdmin.errors![0].extensions!.code).toBe('FORBIDDEN');
    });
    const shared = await macro(admin.token, { name: 'Team', commentBody: 'Thanks!', shared: true });
    expect(shared).toMatchObject({ shared: true, owner: null });

    const listed = await app.gql(MacrosDocument, {}, agent.token);
    const names = listed.data!.macros.map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(['Mine', 'Team']));
    expect(names).not.toContain('Theirs');
    expect((await app.gql(NodeMacroOrViewDocument, { id: theirs.id }, agent.token)).errors![0].extensions!.code).toBe('NOT_FOUND');
    expect((await app.gql(NodeMacroOrViewDocument, { id: shared.id }, agent.token)).data!.node).toMatchObject({ name: 'Team' });

    await writesNothing(app, ['macro'], async () => {
      const otherOwn = await app.gql(UpdateMacroDocument, { input: { macroId: theirs.id, name: 'Mine now', priority: 'LOW' as never } }, agent.token);
      expect(otherOwn.errors![0].extensions!.code).toBe('NOT_FOUND');
      const sharedByAgent = await app.gql(UpdateMacroDocument, { input: { macroId: shared.id, name: 'Changed', priority: 'LOW' as never } }, agent.token);
      expect(sharedByAgent.errors![0].extensions!.code).toBe('FORBIDDEN');
      expect((await app.gql(DeleteMacroDocument, { input: { macroId: shared.id } }, agent.token)).errors![0].extensions!.code).toBe('FORBIDDEN');
      // An admin does not read another agent's personal macros either.
      expect((await app.gql(DeleteMacroDocument, { input: { macroId: mine.id } }, admin.token)).errors![0].extensions!.code).toBe('NOT_FOUND');
    });
    const renamed = await app.gql(UpdateMacroDocument, { input: { macroId: shared.id, name: 'Team reply', commentBody: 'Thanks, {{contact.name}}!' } }, admin.token);
    expect(renamed.data!.updateMacro).toMatchObject({ name: 'Team reply', shared: true, priority: null });
    expect((await app.gql(DeleteMacroDocument, { input: { macroId: mine.id } }, agent.token)).data!.deleteMacro.deletedId).toBe(mine.id);
  });

  it('is for staff accounts only', async () => {
    const team = await macro(admin.token, { name: 'For roles', priority: 'LOW', shared: true });
    const t = await ticketOfCarol();
    const keyAll = await make.apiKey(app, admin.user, Object.values(ApiScope));
    for (const [token, code] of [
      [carol.token, 'FORBIDDEN'],
      [keyAll, 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      await writesNothing(app, TABLES, async () => {
        expect((await app.gql(MacrosDocument, {}, token)).errors![0].extensions!.code).toBe(code);
        expect((await app.gql(CreateMacroDocument, { input: { name: 'x', priority: 'LOW' as never } }, token)).errors![0].extensions!.code).toBe(code);
        expect((await app.gql(ApplyMacroDocument, { input: { ticketId: t.globalId, macroId: team.id } }, token)).errors![0].extensions!.code).toBe(code);
        expect((await app.gql(NodeMacroOrViewDocument, { id: team.id }, token)).errors![0].extensions!.code).toBe(code);
      });
    }
  });
});

describe('applyMacro', () => {
  it('writes the comment with its placeholders filled, moves the status, sets priority and tags: one transaction, an entry per change', async () => {
    const ask = await macro(agent.token, {
      name: 'Ask for logs',
      commentBody: 'Hello {{contact.name}}, about #{{ticket.number}} "{{ticket.title}}" at {{business.name}}: please send logs. {{agent.name}}',
      status: 'WAITING_ON_CUSTOMER',
      priority: 'HIGH',
      addTags: ['needs-logs'],
      removeTags: ['triage'],
    });
    const t = await ticketOfCarol();
    const res = await app.gql(ApplyMacroDocument, { input: { ticketId: t.globalId, macroId: ask.id, expectedVersion: 1 } }, agent.token);
    expect(res.errors).toBeUndefined();
    const ticket = res.data!.applyMacro.ticket;
    expect(ticket).toMatchObject({ status: 'WAITING_ON_CUSTOMER', priority: 'HIGH', tags: [{ name: 'needs-logs' }] });
    const reply = `Hello ${carol.contact.name}, about #${t.number} "Printer on fire" at Acme Ltd: please send logs. Ada Agent`;
    expect(ticket.comments.nodes.map((c) => [c.body, c.isInternal])).toEqual([
      [reply, false],
      ['Macro: Ask for logs', true],
    ]);
    const types = (await app.em().find(TicketEvent, { ticket: t.id }, { orderBy: { position: 'asc' } })).map((e) => e.type);
    expect(types).toEqual(['CREATED', 'COMMENTED', 'STATUS_CHANGED', 'COMMENTED', 'PRIORITY_CHANGED', 'TAGGED']);
    // The customer reads the reply, not the internal reason.
    const seen = await app.gql(TicketCommentsDocument, { id: t.globalId }, carol.token);
    expect(seen.data!.ticket!.comments.nodes.map((c) => c.body)).toEqual([reply]);
  });

  it('fills a ticket without a contact from its submitter, and leaves what is missing empty', async () => {
    const note = await macro(agent.token, { name: 'Note', commentBody: '{{contact.name}}|{{contact.email}}|{{business.name}}', commentInternal: true });
    const t = await make.ticket(app, {});
    await app.em().nativeUpdate(Ticket, { id: t.id }, { submitterName: 'Sam', submitterEmail: 'sam@example.com' });
    const res = await app.gql(ApplyMacroDocument, { input: { ticketId: t.globalId, macroId: note.id } }, agent.token);
    expect(res.data!.applyMacro.ticket.comments.nodes.map((c) => [c.body, c.isInternal])).toEqual([['Sam|sam@example.com|', true]]);
  });

  it('writes nothing when any step is refused or the version is stale', async () => {
    const close = await macro(agent.token, { name: 'Close', commentBody: 'Closing, {{contact.name}}.', status: 'CLOSED', addTags: ['closed-by-macro'] });
    const t = await ticketOfCarol();
    const others = await macro(otherAgent.token, { name: 'Not yours', priority: 'LOW' });
    await writesNothing(app, TABLES, async () => {
      const refused = await app.gql(ApplyMacroDocument, { input: { ticketId: t.globalId, macroId: close.id } }, agent.token);
      expect(refused.errors![0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'IN_PROGRESS', to: 'CLOSED' });
      const stale = await app.gql(ApplyMacroDocument, { input: { ticketId: t.globalId, macroId: close.id, expectedVersion: 9 } }, agent.token);
      expect(stale.errors![0].extensions!.code).toBe('CONFLICT');
      const notYours = await app.gql(ApplyMacroDocument, { input: { ticketId: t.globalId, macroId: others.id } }, agent.token);
      expect(notYours.errors![0].extensions!.code).toBe('NOT_FOUND');
    });
  });
});
