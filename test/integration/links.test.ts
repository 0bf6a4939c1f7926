import {
  LinkTicketsDocument,
  NodeTicketDocument,
  ResolveWithChildrenDocument,
  TicketLinksDocument,
  TicketsWithLinksDocument,
  UnlinkTicketsDocument,
  type LinkTicketsInput,
} from '../__generated__/graphql';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import { writesNothing } from '../setup/writes-nothing';

const TABLES = ['ticket', 'ticket_link', 'ticket_event', 'comment'] as const;

let app: TestApp;
let agent: make.Staff;
let admin: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let globex: Awaited<ReturnType<typeof make.business>>;
let carol: make.Customer;

beforeAll(async () => {
  app = await startTestApp();
  agent = await make.staffUser(app);
  admin = await make.staffUser(app, Role.ADMIN);
  acme = await make.business(app);
  globex = await make.business(app);
  carol = await make.customer(app, acme);
});
afterAll(() => app.stop());

const link = (input: LinkTicketsInput, token = agent.token) => app.gql(LinkTicketsDocument, { input }, token);
const links = async (id: string, token = agent.token) => (await app.gql(TicketLinksDocument, { id }, token)).data!.ticket!;

describe('linkTickets', () => {
  it('links both ways (PARENT_OF / CHILD_OF), bumps both versions and records TICKET_LINKED on each; the same link again changes nothing', async () => {
    const parent = await make.ticket(app, { business: acme });
    const child = await make.ticket(app, { business: acme });
    const result = await link({ ticketId: parent.globalId, otherId: child.globalId, kind: 'PARENT_OF' as never });
    expect(result.errors).toBeUndefined();
    const { ticket, other } = result.data!.linkTickets;
    expect(ticket).toMatchObject({ version: 2, links: [{ relation: 'PARENT_OF', ticket: { id: child.globalId } }] });
    expect(other).toMatchObject({ version: 2, links: [{ relation: 'CHILD_OF', ticket: { id: parent.globalId } }] });
    expect((await links(child.globalId)).history.nodes.find((e) => e.type === 'TICKET_LINKED')).toMatchObject({
      isInternal: false,
      details: { kind: 'CHILD_OF', other: parent.globalId, linked: true },
    });
    const again = await writesNothing(app, TABLES, () => link({ ticketId: parent.globalId, otherId: child.globalId, kind: 'PARENT_OF' as never }));
    expect(again.data!.linkTickets.ticket.version).toBe(2);
  });

  it('DUPLICATE_OF reads DUPLICATED_BY from the other side; RELATED both ways', async () => {
    const [a, b, c] = [await make.ticket(app, { business: acme }), await make.ticket(app, { business: acme }), await make.ticket(app, { business: acme })];
    await link({ ticketId: a.globalId, otherId: b.globalId, kind: 'DUPLICATE_OF' as never });
    await link({ ticketId: a.globalId, otherId: c.globalId, kind: 'RELATED' as never });
    expect((await links(a.globalId)).links.map((l) => [l.relation, l.ticket.id])).toEqual([
      ['DUPLICATE_OF', b.globalId],
      ['RELATED', c.globalId],
    ]);
    expect((await links(b.globalId)).links.map((l) => l.relation)).toEqual(['DUPLICATED_BY']);
    expect((await links(c.globalId)).links.map((l) => l.relation)).toEqual(['RELATED']);
  });

  it('refuses bad input and writes nothing: itself, another kind on a linked pair, a second parent, a cycle, an unknown ticket', async () => {
    const [a, b, c] = [await make.ticket(app, { business: acme }), await make.ticket(app, { business: acme }), await make.ticket(app, { business: acme })];
    expect((await link({ ticketId: a.globalId, otherId: b.globalId, kind: 'PARENT_OF' as never })).errors).toBeUndefined();
    expect((await link({ ticketId: b.globalId, otherId: c.globalId, kind: 'PARENT_OF' as never })).errors).toBeUndefined();
    const other = await make.ticket(app, { business: acme });
    const cases: [LinkTicketsInput, string][] = [
      [{ ticketId: a.globalId, otherId: a.globalId, kind: 'RELATED' as never }, 'BAD_USER_INPUT'],
      [{ ticketId: a.globalId, otherId: b.globalId, kind: 'RELATED' as never }, 'BAD_USER_INPUT'],
      [{ ticketId: other.globalId, otherId: b.globalId, kind: 'PARENT_OF' as never }, 'BAD_USER_INPUT'],
      [{ ticketId: c.globalId, otherId: a.globalId, kind: 'PARENT_OF' as never }, 'BAD_USER_INPUT'],
      [{ ticketId: a.globalId, otherId: new Ticket().globalId, kind: 'RELATED' as never }, 'NOT_FOUND'],
    ];
    for (const [input, code] of cases) {
      const refused = await writesNothing(app, TABLES, () => link(input));
      expect(refused.errors![0].extensions!.code).toBe(code);
    }
  });

  it('is staff work: a customer and a read-only key get FORBIDDEN; a TICKETS_WRITE key links', async () => {
    const [a, b] = [await make.ticket(app, { business: acme }), await make.ticket(app, { business: acme })];
    const input = { ticketId: a.globalId, otherId: b.globalId, kind: 'RELATED' as never };
    const readOnly = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ]);
    for (const token of [carol.token, readOnly]) {
      expect((await writesNothing(app, TABLES, () => link(input, token))).errors![0].extensions!.code).toBe('FORBIDDEN');
    }
    const writer = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ, ApiScope.TICKETS_WRITE]);
    expect((await link(input, writer)).errors).toBeUndefined();
    expect((await links(a.globalId, readOnly)).links).toHaveLength(1);
  });

  it('a customer sees links to its business’s tickets only (nested, node and list), and no entry naming another business’s ticket', async () => {
    const mine = await make.ticket(app, { business: acme });
    const sibling = await make.ticket(app, { business: acme });
    const foreign = await make.ticket(app, { business: globex });
    await link({ ticketId: mine.globalId, otherId: sibling.globalId, kind: 'RELATED' as never });
    await link({ ticketId: mine.globalId, otherId: foreign.globalId, kind: 'RELATED' as never });
    expect((await links(mine.globalId)).links).toHaveLength(2);

    const seen = await links(mine.globalId, carol.token);
    expect(seen.links.map((l) => l.ticket.id)).toEqual([sibling.globalId]);
    expect(seen.history.nodes.filter((e) => e.type === 'TICKET_LINKED').map((e) => e.details.other)).toEqual([sibling.globalId]);
    const node = await app.gql(NodeTicketDocument, { id: mine.globalId }, carol.token);
    expect(node.data!.node).toMatchObject({ links: [{ ticket: { id: sibling.globalId } }] });
    const list = await app.gql(TicketsWithLinksDocument, { first: 50 }, carol.token);
    expect(list.errors).toBeUndefined();
    const everyLinked = list.data!.tickets.nodes.flatMap((t) => t.links.map((l) => l.ticket.id));
    expect(everyLinked).not.toContain(foreign.globalId);
  });

  it('a page of tickets with their links costs the same statements for 5 and for 25 tickets', async () => {
    const business = await make.business(app);
    const customer = await make.customer(app, business);
    const count = async () => {
      const { result, statements } = await app.countStatements(() => app.gql(TicketsWithLinksDocument, { first: 50 }, customer.token));
      expect(result.errors).toBeUndefined();
      expect(result.data!.tickets.nodes.every((t) => t.links.length === 1)).toBe(true);
      return statements;
    };
    const addPair = async () => {
      const [a, b] = [await make.ticket(app, { business }), await make.ticket(app, { business })];
      await link({ ticketId: a.globalId, otherId: b.globalId, kind: 'RELATED' as never });
    };
    for (let i = 0; i < 3; i += 1) await addPair();
    await count(); // the first request also reads the session, later ones find it cached
    const few = await count();
    for (let i = 0; i < 10; i += 1) await addPair();
    expect(await count()).toBe(few);
  });

  it('unlinkTickets removes the link (either order) with an entry on both; not linked is BAD_USER_INPUT', async () => {
    const [a, b] = [await make.ticket(app, { business: acme }), await make.ticket(app, { business: acme })];
    await link({ ticketId: a.globalId, otherId: b.globalId, kind: 'PARENT_OF' as never });
    const result = await app.gql(UnlinkTicketsDocument, { input: { ticketId: b.globalId, otherId: a.globalId } }, agent.token);
    expect(result.data!.unlinkTickets).toMatchObject({ ticket: { links: [] }, other: { links: [] } });
    expect((await links(a.globalId)).history.nodes.filter((e) => e.type === 'TICKET_LINKED').map((e) => [e.details.kind, e.details.linked])).toEqual([
      ['PARENT_OF', true],
      ['PARENT_OF', false],
    ]);
    const again = await writesNothing(app, TABLES, () => app.gql(UnlinkTicketsDocument, { input: { ticketId: a.globalId, otherId: b.globalId } }, agent.token));
    expect(again.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('resolving a parent', () => {
  async function family() {
    const parent = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    const working = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    const fresh = await make.ticket(app, { business: acme, status: TicketStatus.OPEN });
    const unlinked = await make.ticket(app, { business: null });
    const done = await make.ticket(app, { business: acme, status: TicketStatus.RESOLVED });
    for (const child of [working, fresh, unlinked, done]) {
      expect((await link({ ticketId: parent.globalId, otherId: child.globalId, kind: 'PARENT_OF' as never })).errors).toBeUndefined();
    }
    return { parent, working, fresh, unlinked, done };
  }

  it('lists its open children in the answer and leaves them alone', async () => {
    const { parent, working, fresh, unlinked } = await family();
    const result = await app.gql(ResolveWithChildrenDocument, { input: { ticketId: parent.globalId, resolutionNotes: 'Replaced the switch' } }, agent.token);
    expect(result.errors).toBeUndefined();
    expect(result.data!.resolveTicket.ticket.status).toBe('RESOLVED');
    expect(result.data!.resolveTicket.openChildren!.map((t) => t.id)).toEqual([working.globalId, fresh.globalId, unlinked.globalId]);
    expect(result.data!.resolveTicket.resolvedChildren).toEqual([]);
    expect((await app.em().findOneOrFail(Ticket, { id: working.id })).status).toBe(TicketStatus.IN_PROGRESS);
  });

  it('with resolveChildren resolves every child that can be, with the parent’s notes; an UNASSIGNED child stays listed', async () => {
    const { parent, working, fresh, unlinked } = await family();
    const result = await app.gql(
      ResolveWithChildrenDocument,
      { input: { ticketId: parent.globalId, resolutionNotes: 'Replaced the switch', resolveChildren: true, notifyCustomer: true } },
      agent.token,
    );
    expect(result.errors).toBeUndefined();
    const answer = result.data!.resolveTicket;
    expect(answer.resolvedChildren!.map((t) => [t.id, t.status, t.resolutionNotes])).toEqual([
      [working.globalId, 'RESOLVED', 'Replaced the switch'],
      [fresh.globalId, 'RESOLVED', 'Replaced the switch'],
    ]);
    expect(answer.openChildren!.map((t) => t.id)).toEqual([unlinked.globalId]);
    const history = await links(fresh.globalId, carol.token);
    const moves = history.history.nodes.filter((e) => e.type === 'STATUS_CHANGED').map((e) => e.details.trigger);
    expect(moves).toEqual(['PARENT_RESOLVED', 'PARENT_RESOLVED']);
  });

  it('a customer cannot resolve children: FORBIDDEN, nothing written', async () => {
    const { parent } = await family();
    const refused = await writesNothing(app, TABLES, () =>
      app.gql(ResolveWithChildrenDocument, { input: { ticketId: parent.globalId, resolutionNotes: 'x', resolveChildren: true } }, carol.token),
    );
    expect(refused.errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});
