import {
  AddCommentDocument,
  ChangeTicketStatusDocument,
  MergeTicketsDocument,
  MergeViewDocument,
  NodeTicketDocument,
  OnTicketEntriesDocument,
  UnmergeTicketDocument,
  type MergeTicketsInput,
} from '../__generated__/graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Contact } from '../../src/modules/businesses/contact.entity';
import { Attachment } from '../../src/modules/intake/attachment.entity';
import { replyAddress, replyTokenKey } from '../../src/modules/intake/email/reply-token';
import { TicketMerge } from '../../src/modules/merge/ticket-merge.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startSmtpSink, type SmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';
import { writesNothing } from '../setup/writes-nothing';
import { subscribe, untilLive, wsClient } from '../setup/ws-client';

const SECRET = 'test-inbound-secret-123';
const TABLES = ['ticket', 'comment', 'attachment', 'ticket_event', 'ticket_merge', 'ticket_tag'] as const;

let smtp: SmtpSink;
let app: TestApp;
let agent: make.Staff;
let admin: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let globex: Awaited<ReturnType<typeof make.business>>;
let carol: make.Customer;
let gina: make.Customer;

beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ SMTP_URL: smtp.url, MAIL_FROM: 'Help Desk <help@ticketgraph.test>', PUBLIC_URL: 'https://help.ticketgraph.test', INBOUND_EMAIL_SECRET: SECRET });
  agent = await make.staffUser(app);
  admin = await make.staffUser(app, Role.ADMIN);
  acme = await make.business(app, { name: 'Acme', domain: 'acme.example' });
  globex = await make.business(app, { name: 'Globex' });
  carol = await make.customer(app, acme);
  gina = await make.customer(app, globex);
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
});

const merge = (input: MergeTicketsInput, token = agent.token) => app.gql(MergeTicketsDocument, { input }, token);
const view = async (id: string, token = agent.token) => (await app.gql(MergeViewDocument, { id }, token)).data?.ticket;

/** A ticket of `business` for `contact`, with tags, an external comment by the customer, an internal note and an attachment. */
async function conversation(business = acme, contact: Contact | null = carol.contact, tags: string[] = []) {
  const ticket = await make.ticket(app, { business, tags });
  if (contact) await app.em().nativeUpdate(Ticket, { id: ticket.id }, { contact: contact.id });
  const em = app.em();
  const asked = await make.comment(app, ticket, agent.user, `Note on #${ticket.number}`, true);
  const reply = await make.comment(app, ticket, agent.user, `Reply on #${ticket.number}`, false);
  const file = em.create(Attachment, { ticket: ticket.id, comment: reply.id, filename: `log-${ticket.number}.txt`, contentType: 'text/plain', sizeBytes: 12 });
  await em.flush();
  return { ticket, asked, reply, file };
}

describe('mergeTickets', () => {
  it('closes the sources as merged, moves their comments and attachments to the target in time order with author, time and flag, unites tags and contacts', async () => {
    const target = await conversation(acme, null, ['printer']);
    const first = await conversation(acme, carol.contact, ['printer', 'floor-3']);
    const second = await conversation(acme, null, ['toner']);
    const later = await make.comment(app, target.ticket, agent.user, 'Target comment written after the sources', false);

    const result = await merge({ sourceIds: [first.ticket.globalId, second.ticket.globalId], targetId: target.ticket.globalId, note: 'Same printer' });
    expect(result.errors).toBeUndefined();
    const { target: merged, sources } = result.data!.mergeTickets;
    expect(sources.map((s) => [s.status, s.mergedInto?.id])).toEqual([
      ['CLOSED', target.ticket.globalId],
      ['CLOSED', target.ticket.globalId],
    ]);
    expect(sources[0].closedAt).not.toBeNull();
    expect(merged.tags.map((t) => t.name).sort()).toEqual(['floor-3', 'printer', 'toner']);
    expect(merged.contacts.map((c) => c.id)).toEqual([carol.contact.globalId]);

    const seen = await view(target.ticket.globalId);
    const expected = [target.asked, target.reply, first.asked, first.reply, second.asked, second.reply, later].sort((a, b) => a.id.localeCompare(b.id));
    expect(seen!.comments.nodes.map((c) => [c.id, c.body, c.isInternal, c.authorName, c.createdAt, c.ticket.id])).toEqual(
      expected.map((c) => [c.globalId, c.body, c.isInternal, agent.user.name, c.createdAt.toISOString(), target.ticket.globalId]),
    );
    expect(seen!.attachments.map((a) => a.filename).sort()).toEqual([target.file, first.file, second.file].map((f) => f.filename).sort());

    const source = await view(first.ticket.globalId);
    expect(source!.comments.nodes.map((c) => [c.body, c.isInternal])).toEqual([
      [`This request has been merged into #${target.ticket.number} (${target.ticket.title}). The conversation continues there; replies to this ticket are added to #${target.ticket.number}.`, false],
    ]);
    const entries = source!.history.nodes.map((e) => [e.type, e.fromStatus, e.toStatus, e.details.into ?? null]);
    expect(entries).toEqual(
      expect.arrayContaining([
        ['STATUS_CHANGED', 'OPEN', 'CLOSED', target.ticket.globalId],
        ['MERGED', null, null, target.ticket.globalId],
      ]),
    );
    expect(source!.history.nodes.find((e) => e.type === 'MERGED')).toMatchObject({ reason: 'Same printer', isInternal: false });
    expect(seen!.history.nodes.find((e) => e.type === 'MERGED_IN')).toMatchObject({ details: { sources: [first.ticket.globalId, second.ticket.globalId] } });
  });

  it('shows the customer the merge and the target’s external comments, never the internal ones or the team’s note', async () => {
    const target = await conversation();
    const source = await conversation();
    expect((await merge({ sourceIds: [source.ticket.globalId], targetId: target.ticket.globalId, note: 'Duplicate' })).errors).toBeUndefined();

    const seenOnTarget = await view(target.ticket.globalId, carol.token);
    expect(seenOnTarget!.comments.nodes.map((c) => c.body).sort()).toEqual([`Reply on #${source.ticket.number}`, `Reply on #${target.ticket.number}`].sort());
    const seenOnSource = await view(source.ticket.globalId, carol.token);
    expect(seenOnSource!.mergedInto).toEqual({ id: target.ticket.globalId, number: target.ticket.number });
    expect(seenOnSource!.history.nodes.find((e) => e.type === 'MERGED')).toMatchObject({ reason: null });
    const internal = await app.gql(NodeTicketDocument, { id: source.asked.globalId }, carol.token);
    expect(internal.errors![0].extensions!.code).toBe('NOT_FOUND');

    // Another business's customer reaches neither ticket nor any moved comment.
    for (const id of [target.ticket.globalId, source.ticket.globalId, source.reply.globalId]) {
      expect((await app.gql(NodeTicketDocument, { id }, gina.token)).errors![0].extensions!.code).toBe('NOT_FOUND');
    }
  });

  it('is staff work: customers and keys without TICKETS_WRITE get FORBIDDEN; a TICKETS_WRITE key merges', async () => {
    const target = await conversation();
    const source = await conversation();
    const input = { sourceIds: [source.ticket.globalId], targetId: target.ticket.globalId };
    const readOnly = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ, ApiScope.COMMENTS_INTERNAL]);
    for (const token of [carol.token, readOnly]) {
      const refused = await writesNothing(app, TABLES, () => merge(input, token));
      expect(refused.errors![0].extensions!.code).toBe('FORBIDDEN');
    }
    const writer = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ, ApiScope.TICKETS_WRITE]);
    expect((await merge(input, writer)).data!.mergeTickets.sources[0].status).toBe('CLOSED');
  });

  it('refuses bad input with a clear code and writes nothing', async () => {
    const target = await conversation();
    const source = await conversation();
    const closed = await make.ticket(app, { business: acme, status: TicketStatus.CLOSED });
    const unknown = new Ticket().globalId;
    const cases: [MergeTicketsInput, string, string][] = [
      [{ sourceIds: [unknown], targetId: target.ticket.globalId }, 'NOT_FOUND', ''],
      [{ sourceIds: [source.ticket.globalId], targetId: unknown }, 'NOT_FOUND', ''],
      [{ sourceIds: [target.ticket.globalId], targetId: target.ticket.globalId }, 'BAD_USER_INPUT', 'sourceIds'],
      [{ sourceIds: [source.ticket.globalId], targetId: closed.globalId }, 'BAD_USER_INPUT', 'targetId'],
      [{ sourceIds: [closed.globalId], targetId: target.ticket.globalId }, 'BAD_USER_INPUT', 'sourceIds'],
      [{ sourceIds: [], targetId: target.ticket.globalId }, 'BAD_USER_INPUT', 'sourceIds'],
    ];
    for (const [input, code, field] of cases) {
      const refused = await writesNothing(app, TABLES, () => merge(input));
      expect(refused.errors![0].extensions).toMatchObject({ code, ...(field ? { field } : {}) });
    }
    // Into a ticket that is itself merged.
    const third = await conversation();
    expect((await merge({ sourceIds: [source.ticket.globalId], targetId: target.ticket.globalId })).errors).toBeUndefined();
    const intoMerged = await writesNothing(app, TABLES, () => merge({ sourceIds: [third.ticket.globalId], targetId: source.ticket.globalId }));
    expect(intoMerged.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'targetId' });
    const twice = await writesNothing(app, TABLES, () => merge({ sourceIds: [source.ticket.globalId], targetId: third.ticket.globalId }));
    expect(twice.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sourceIds' });
  });

  it('a stale expected version answers CONFLICT and writes nothing', async () => {
    const target = await conversation();
    const source = await conversation();
    const stale = await writesNothing(app, TABLES, () =>
      merge({ sourceIds: [source.ticket.globalId], targetId: target.ticket.globalId, expectedVersions: [{ ticketId: target.ticket.globalId, version: 7 }] }),
    );
    expect(stale.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 1 });
  });

  it('across businesses: refused unless an admin passes allowAcrossBusinesses; then the target is not shown to the source’s customer', async () => {
    const target = await conversation(globex, gina.contact);
    const source = await conversation(acme, carol.contact);
    const input = { sourceIds: [source.ticket.globalId], targetId: target.ticket.globalId };
    for (const [extra, token, code] of [
      [{}, agent.token, 'BAD_USER_INPUT'],
      [{}, admin.token, 'BAD_USER_INPUT'],
      [{ allowAcrossBusinesses: true }, agent.token, 'FORBIDDEN'],
    ] as const) {
      const refused = await writesNothing(app, TABLES, () => merge({ ...input, ...extra }, token));
      expect(refused.errors![0].extensions!.code).toBe(code);
    }
    expect((await merge({ ...input, allowAcrossBusinesses: true }, admin.token)).errors).toBeUndefined();
    const seen = await view(source.ticket.globalId, carol.token);
    expect(seen!.mergedInto).toBeNull();
    expect(seen!.history.nodes.some((e) => e.type === 'MERGED')).toBe(false);
    expect(seen!.comments.nodes.map((c) => c.body)[0]).toMatch(/^This request has been merged into #/);
    expect((await app.gql(NodeTicketDocument, { id: source.reply.globalId }, carol.token)).errors![0].extensions!.code).toBe('NOT_FOUND');
    // Gina now reads Carol's external reply on her ticket, as the admin chose; never the internal note.
    expect((await view(target.ticket.globalId, gina.token))!.comments.nodes.map((c) => c.body)).toContain(`Reply on #${source.ticket.number}`);
    expect((await view(target.ticket.globalId, gina.token))!.comments.nodes.map((c) => c.body)).not.toContain(`Note on #${source.ticket.number}`);
  });

  it('two merges of the same pair in opposite directions at once: one wins, the other is refused (locks in a stable order, no deadlock, no cycle)', async () => {
    for (let round = 0; round < 5; round += 1) {
      const a = await conversation();
      const b = await conversation();
      const results = await Promise.all([
        merge({ sourceIds: [a.ticket.globalId], targetId: b.ticket.globalId }),
        merge({ sourceIds: [b.ticket.globalId], targetId: a.ticket.globalId }),
      ]);
      expect(results.filter((r) => r.errors === undefined)).toHaveLength(1);
      expect(results.find((r) => r.errors)!.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
      const rows = await app.em().find(Ticket, { id: { $in: [a.ticket.id, b.ticket.id] } });
      expect(rows.filter((t) => t.mergedInto !== null)).toHaveLength(1);
    }
  });
});

describe('after a merge', () => {
  it('comments and status changes addressed to the source land on the target; a pre-merge expectedVersion is a CONFLICT', async () => {
    const target = await conversation();
    const source = await conversation();
    await app.em().nativeUpdate(Ticket, { id: target.ticket.id }, { status: TicketStatus.IN_PROGRESS });
    expect((await merge({ sourceIds: [source.ticket.globalId], targetId: target.ticket.globalId })).errors).toBeUndefined();

    const byCustomer = await app.gql(AddCommentDocument, { input: { ticketId: source.ticket.globalId, body: 'Any news?' } }, carol.token);
    expect(byCustomer.data!.addComment.ticket.id).toBe(target.ticket.globalId);
    const byAgent = await app.gql(AddCommentDocument, { input: { ticketId: source.ticket.globalId, body: 'Looking', isInternal: true } }, agent.token);
    expect(byAgent.data!.addComment.ticket.id).toBe(target.ticket.globalId);
    const moved = await app.gql(ChangeTicketStatusDocument, { input: { ticketId: source.ticket.globalId, status: 'WAITING_ON_CUSTOMER' as never, reason: 'Need logs' } }, agent.token);
    expect(moved.data!.changeTicketStatus.ticket).toMatchObject({ id: target.ticket.globalId, status: 'WAITING_ON_CUSTOMER' });
    expect((await app.em().findOneOrFail(Ticket, { id: source.ticket.id })).status).toBe(TicketStatus.CLOSED);

    const stale = await writesNothing(app, TABLES, () => app.gql(AddCommentDocument, { input: { ticketId: source.ticket.globalId, body: 'Old view', expectedVersion: 1 } }, agent.token));
    expect(stale.errors![0].extensions!.code).toBe('CONFLICT');
  });

  it('a mail reply to the source’s reply address lands on the target', async () => {
    await app.em().nativeUpdate(Contact, { id: carol.contact.id }, { email: 'carol.jones@acme.example' });
    const target = await conversation();
    const source = await conversation();
    expect((await merge({ sourceIds: [source.ticket.globalId], targetId: target.ticket.globalId })).errors).toBeUndefined();
    const address = replyAddress(replyTokenKey(SECRET), 'support@ticketgraph.example', source.ticket);
    const raw = readFileSync(path.join(__dirname, '..', 'fixtures', 'email', 'reply-address.eml')).toString().split('{{REPLY_ADDRESS}}').join(address);
    const response = await fetch(app.url.replace(/\/graphql$/, '/inbound/email'), {
      method: 'POST',
      headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${SECRET}` },
      body: raw,
    });
    expect(await response.json()).toMatchObject({ ticketNumber: target.ticket.number, outcome: 'REPLIED' });
    const seen = await view(target.ticket.globalId);
    expect(seen!.comments.nodes.map((c) => c.body)).toContain('The log you asked for: E-1021 again at 09:30, tray 2.');
  });

  it('the source’s customer is mailed where the conversation continues, and not a second “closed” mail', async () => {
    const target = await conversation(acme, null);
    const source = await conversation(acme, carol.contact);
    const address = (await app.em().findOneOrFail(Contact, { id: carol.contact.id })).email;
    await app.app.consumers.catchUp('customer-mail');
    await app.app.deliveries.runDue();
    const before = smtp.received.length;
    expect((await merge({ sourceIds: [source.ticket.globalId], targetId: target.ticket.globalId })).errors).toBeUndefined();
    await app.app.consumers.catchUp('customer-mail');
    await app.app.deliveries.runDue();
    const mails = smtp.received.slice(before).filter((mail) => mail.to.includes(address));
    expect(mails).toHaveLength(1);
    expect(mails[0].parsed.text).toContain(`merged into #${target.ticket.number}`);
  });

  it('subscribers see the source close (ticketStatusChanged-style entries on ticketEvents) and the customer sees no internal entry', async () => {
    const target = await conversation();
    const source = await conversation();
    const client = wsClient(app.url, carol.token);
    const entries = subscribe(client, OnTicketEntriesDocument, { filter: { ticketId: source.ticket.globalId } });
    const probe = subscribe(client, OnTicketEntriesDocument, { filter: { ticketId: source.ticket.globalId } });
    await untilLive(probe, () => app.gql(AddCommentDocument, { input: { ticketId: source.ticket.globalId, body: 'ping' } }, carol.token));
    const already = entries.received.length;
    expect((await merge({ sourceIds: [source.ticket.globalId], targetId: target.ticket.globalId, note: 'secret reason' })).errors).toBeUndefined();
    const received = await entries.waitFor(already + 3);
    const types = received.slice(already).map((r) => r.data!.ticketEvents);
    expect(types.map((e) => e.type)).toEqual(expect.arrayContaining(['STATUS_CHANGED', 'MERGED', 'COMMENTED']));
    expect(types.every((e) => !e.isInternal)).toBe(true);
    expect(types.find((e) => e.type === 'STATUS_CHANGED')).toMatchObject({ toStatus: 'CLOSED', details: { trigger: 'MERGE' } });
    entries.stop();
    await client.dispose();
  });
});

describe('unmergeTicket', () => {
  it('restores the source: its own comments and attachments back, status and dates as before, tags and contact taken back', async () => {
    const target = await conversation(acme, null, ['printer']);
    const source = await conversation(acme, carol.contact, ['toner']);
    await app.em().nativeUpdate(Ticket, { id: source.ticket.id }, { status: TicketStatus.WAITING_ON_CUSTOMER });
    expect((await merge({ sourceIds: [source.ticket.globalId], targetId: target.ticket.globalId })).errors).toBeUndefined();
    const afterwards = await app.gql(AddCommentDocument, { input: { ticketId: source.ticket.globalId, body: 'Written after the merge' } }, agent.token);
    expect(afterwards.errors).toBeUndefined();

    const customer = await app.gql(UnmergeTicketDocument, { input: { ticketId: source.ticket.globalId } }, carol.token);
    expect(customer.errors![0].extensions!.code).toBe('FORBIDDEN');
    const result = await app.gql(UnmergeTicketDocument, { input: { ticketId: source.ticket.globalId } }, agent.token);
    expect(result.errors).toBeUndefined();
    const { ticket, formerTarget } = result.data!.unmergeTicket;
    expect(ticket).toMatchObject({ status: 'WAITING_ON_CUSTOMER', mergedInto: null, closedAt: null, tags: [{ name: 'toner' }] });
    expect(formerTarget.tags.map((t) => t.name)).toEqual(['printer']);
    expect(formerTarget.contacts).toEqual([]);

    const back = await view(source.ticket.globalId);
    expect(back!.comments.nodes.map((c) => c.id)).toEqual(
      expect.arrayContaining([source.asked.globalId, source.reply.globalId]),
    );
    expect(back!.attachments.map((a) => a.filename)).toEqual([source.file.filename]);
    expect(back!.history.nodes.filter((e) => e.type === 'STATUS_CHANGED').pop()).toMatchObject({ fromStatus: 'CLOSED', toStatus: 'WAITING_ON_CUSTOMER' });
    expect(back!.history.nodes.some((e) => e.type === 'UNMERGED')).toBe(true);
    const onTarget = await view(target.ticket.globalId);
    expect(onTarget!.comments.nodes.map((c) => c.body)).toContain('Written after the merge');
    expect(onTarget!.comments.nodes.map((c) => c.id)).not.toContain(source.reply.globalId);
    expect(onTarget!.history.nodes.some((e) => e.type === 'UNMERGED')).toBe(true);

    const again = await writesNothing(app, TABLES, () => app.gql(UnmergeTicketDocument, { input: { ticketId: source.ticket.globalId } }, agent.token));
    expect(again.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ticketId' });
  });

  it('gives a source merged while RESOLVED back its resolution: status, notes and date as they were', async () => {
    const target = await conversation();
    const source = await conversation();
    const resolvedAt = new Date('2026-11-30T10:00:00Z');
    await app.em().nativeUpdate(Ticket, { id: source.ticket.id }, { status: TicketStatus.RESOLVED, resolutionNotes: 'Rebooted the printer', resolvedAt });
    expect((await merge({ sourceIds: [source.ticket.globalId], targetId: target.ticket.globalId })).errors).toBeUndefined();
    const result = await app.gql(UnmergeTicketDocument, { input: { ticketId: source.ticket.globalId } }, agent.token);
    expect(result.data!.unmergeTicket.ticket).toMatchObject({ status: 'RESOLVED', resolvedAt: resolvedAt.toISOString(), closedAt: null });
    expect((await app.em().findOneOrFail(Ticket, { id: source.ticket.id })).resolutionNotes).toBe('Rebooted the printer');
  });

  it('is refused after 7 days; keys without TICKETS_WRITE get FORBIDDEN', async () => {
    const target = await conversation();
    const source = await conversation();
    expect((await merge({ sourceIds: [source.ticket.globalId], targetId: target.ticket.globalId })).errors).toBeUndefined();
    await app.em().nativeUpdate(TicketMerge, { source: source.ticket.id }, { createdAt: new Date(Date.now() - 8 * 86_400_000) });
    const late = await writesNothing(app, TABLES, () => app.gql(UnmergeTicketDocument, { input: { ticketId: source.ticket.globalId } }, agent.token));
    expect(late.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(late.errors![0].message).toMatch(/7 days/);
    const apiKey = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ]);
    expect((await app.gql(UnmergeTicketDocument, { input: { ticketId: source.ticket.globalId } }, apiKey)).errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});
