import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AddCommentDocument,
  AssignTicketDocument,
  CreateTicketDocument,
  LinkTicketDocument,
  MergeTagsDocument,
  SetTicketTagsDocument,
  ChangeTicketStatusDocument,
  ConfirmResolutionDocument,
  ReopenTicketDocument,
  ReportsRateTicketDocument,
  ResolveTicketDocument,
  UpdateBusinessHoursDocument,
  UpdateSlaPolicyDocument,
  UpdateTicketDocument,
} from '../__generated__/graphql';
import { rebuildOutcomes } from '../../src/modules/reports/outcome-rebuild';
import { checkRollUps, rebuildRollUps } from '../../src/modules/reports/roll-up.rebuild';
import { Tag } from '../../src/modules/tags/tag.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketPriority, TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { Role } from '../../src/modules/users/user.enums';
import { fromGlobalId } from '../../src/shared/global-id';
import * as make from '../factories';
import { countRollUps } from '../setup/roll-ups';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The figures reports read are settled on the ticket row as the timeline grows. Here a seeded random
 * walk drives tickets through the real API at made-up instants (nights, weekends, reopens, pauses,
 * priority changes, tags, assignments), then every ticket's timeline is replayed and must give exactly
 * the stored figures; the report roll-ups, kept by their consumer as the walk goes, must equal what the
 * tickets give.
 */

let app: TestApp;
let admin: make.Staff;
let agent: make.Staff;
let otherAgent: make.Staff;
let customer: make.Customer;
let business: Awaited<ReturnType<typeof make.business>>;
let tickets: Ticket[];

/** What checkRollUps finds when the roll-ups equal what the tickets give. */
const EXACT = { tickets: [], rows: [] };

/** Only Date is faked; timers stay real so the database driver and the server work as usual. */
const ONLY_DATE = {
  doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
} as const;

/** mulberry32: a small seeded generator, so a failure replays the same walk. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  app = await startTestApp({ JOB_INTERVAL_SECONDS: '3600' });
  admin = await make.staffUser(app, Role.ADMIN);
  agent = await make.staffUser(app);
  otherAgent = await make.staffUser(app);
  business = await make.business(app);
  customer = await make.customer(app, business);
  await app.gql(UpdateBusinessHoursDocument, { input: { timeZone: 'Europe/Berlin', workingDays: [1, 2, 3, 4, 5], opensAt: '09:00', closesAt: '17:00' } }, admin.token);
  await app.gql(UpdateSlaPolicyDocument, { input: { priority: 'HIGH' as never, businessHours: true, pauseOnThirdParty: true } }, admin.token);
  await app.gql(UpdateSlaPolicyDocument, { input: { priority: 'LOW' as never, businessHours: true, pauseOnThirdParty: false } }, admin.token);
  jest.useFakeTimers(ONLY_DATE as never);
  jest.setSystemTime(new Date('2026-02-27T16:40:00Z'));
  const priorities = Object.values(TicketPriority);
  tickets = [];
  for (let i = 0; i < 8; i += 1) {
    const ticket = await make.ticket(app, { business, priority: priorities[i % 4], createdAt: new Date(Date.now() + i * 60_000) });
    const em = app.em();
    await em.nativeUpdate(Ticket, { id: ticket.id }, { contact: customer.contact.id });
    tickets.push(ticket);
  }
});
afterAll(async () => {
  jest.useRealTimers();
  await app.stop();
});

it('stay equal to a replay of the timeline through a random walk of 150 changes', async () => {
  const next = random(20261127);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
  let now = Date.now() + 10 * 60_000;
  const send = async <R, V>(document: TypedDocumentNode<R, V>, variables: V, token: string) => {
    // 5 minutes to 40 hours later: across nights, weekends and the Berlin DST change of 29 March.
    now += Math.round((5 + next() * 40 * 60) * 60_000);
    jest.setSystemTime(new Date(now));
    return app.gql(document, variables, token);
  };

  let accepted = 0;
  for (let step = 0; step < 150; step += 1) {
    const ticket = pick(tickets);
    const id = ticket.globalId;
    const { status, satisfactionScore } = await app.em().findOneOrFail(Ticket, { id: ticket.id });
    const moves: (() => Promise<{ errors?: unknown }>)[] = [
      () => send(AddCommentDocument, { input: { ticketId: id, body: `Reply ${step}` } }, agent.token),
      () => send(AddCommentDocument, { input: { ticketId: id, body: `Note ${step}`, isInternal: true } }, agent.token),
      () => send(UpdateTicketDocument, { input: { ticketId: id, priority: pick(Object.values(TicketPriority)) as never } }, agent.token),
      () => send(SetTicketTagsDocument, { input: { ticketId: id, tags: ['printer', 'network', 'billing', 'vpn'].filter(() => next() < 0.5) } }, agent.token),
      () => send(AssignTicketDocument, { input: { ticketId: id, assigneeId: pick([agent, otherAgent, null])?.user.globalId ?? null } }, admin.token),
    ];
    const to = (target: TicketStatus, reason?: string) => () => send(ChangeTicketStatusDocument, { input: { ticketId: id, status: target as never, reason } }, agent.token);
    if (status === TicketStatus.OPEN) moves.push(to(TicketStatus.IN_PROGRESS), to(TicketStatus.IN_PROGRESS));
    if (status === TicketStatus.IN_PROGRESS) {
      const resolve = () => send(ResolveTicketDocument, { input: { ticketId: id, resolutionNotes: 'Fixed' } }, agent.token);
      moves.push(to(TicketStatus.WAITING_ON_CUSTOMER, 'Which version?'), to(TicketStatus.WAITING_ON_THIRD_PARTY, 'Vendor'), resolve, resolve);
    }
    if (status === TicketStatus.WAITING_ON_CUSTOMER) moves.push(() => send(AddCommentDocument, { input: { ticketId: id, body: 'Here it is' } }, customer.token), to(TicketStatus.IN_PROGRESS));
    if (status === TicketStatus.WAITING_ON_THIRD_PARTY) moves.push(to(TicketStatus.IN_PROGRESS));
    if (status === TicketStatus.RESOLVED) {
      moves.push(() => send(ReopenTicketDocument, { input: { ticketId: id, reason: 'Back again' } }, pick([agent.token, customer.token])));
      moves.push(() => send(AddCommentDocument, { input: { ticketId: id, body: 'Still broken' } }, customer.token));
      moves.push(() => send(ConfirmResolutionDocument, { input: { ticketId: id } }, customer.token));
      if (satisfactionScore === null) moves.push(() => send(ReportsRateTicketDocument, { input: { ticketId: id, score: 1 + Math.floor(next() * 5) } }, customer.token));
    }
    const result = await pick(moves)();
    expect(result.errors).toBeUndefined();
    accepted += 1;
    // The consumer runs now and then, each time over the entries of several changes.
    if (step % 20 === 7) await countRollUps(app);
  }
  expect(accepted).toBe(150);

  const ids = tickets.map((t) => t.id);
  const { checked, mismatches } = await rebuildOutcomes(app.em(), { ticketIds: ids });
  expect(checked).toBe(8);
  expect(mismatches).toEqual([]);

  const stored = await app.em().find(Ticket, { id: { $in: ids } });
  // The walk reached what the figures are about: answered, resolved, reopened, paused tickets.
  expect(stored.filter((t) => t.firstResponseSeconds !== null).length).toBeGreaterThan(4);
  expect(stored.filter((t) => t.resolutionSeconds !== null).length).toBeGreaterThan(1);
  expect(stored.filter((t) => t.reopenCount > 0).length).toBeGreaterThan(0);
  expect(stored.filter((t) => t.satisfactionScore !== null).length).toBeGreaterThan(0);
  expect(stored.filter((t) => t.slaPausedWallSeconds > 0 && t.slaPausedSeconds !== t.slaPausedWallSeconds).length).toBeGreaterThan(0);

  await countRollUps(app);
  expect(await checkRollUps(app.em())).toEqual(EXACT);
  // Merging tags moves tickets from one tag to another in SQL, with no timeline entry: the merge counts them itself.
  const em = app.em();
  const [vpn, network] = await Promise.all([em.findOneOrFail(Tag, { name: 'vpn' }), em.findOneOrFail(Tag, { name: 'network' })]);
  const [{ moved }] = await em.getConnection().execute(`select count(*)::int as moved from ticket_tag where tag_id = ?`, [vpn.id]);
  expect(moved).toBeGreaterThan(0);
  expect((await app.gql(MergeTagsDocument, { sourceTagId: vpn.globalId, targetTagId: network.globalId }, admin.token)).errors).toBeUndefined();
  expect(await checkRollUps(app.em())).toEqual(EXACT);

  // The walk reached what the roll-ups count from the timeline: tags, assignments, resolutions and reopens.
  const [reached] = await em.getConnection().execute(
    `select count(*) filter (where jsonb_array_length(state->'tagIds') > 1) as tagged, count(*) filter (where jsonb_array_length(state->'assignments') > 1) as reassigned,
            count(*) filter (where jsonb_array_length(state->'resolvedMoves') > 1) as resolved_twice, count(*) filter (where jsonb_array_length(state->'reopens') > 0) as reopened
       from roll_up_ticket`,
  );
  expect(Object.values(reached).map(Number).every((n) => n > 0)).toBe(true);
});

it('stay exact under concurrent writers: tickets created while others are resolved and reopened, in the same hour', async () => {
  const ok = <T>(res: { data?: T | null; errors?: unknown }) => {
    expect(res.errors).toBeUndefined();
    return res.data!;
  };
  const create = (i: number) =>
    app
      .gql(CreateTicketDocument, { input: { title: `Rush ${i}`, description: 'At once.', businessId: business.globalId, tags: ['rush'], assigneeId: agent.user.globalId } }, admin.token)
      .then((res) => ok(res).createTicket.ticket.id);
  const start = (id: string) => app.gql(ChangeTicketStatusDocument, { input: { ticketId: id, status: 'IN_PROGRESS' as never } }, agent.token).then(ok);
  const resolve = (id: string) => app.gql(ResolveTicketDocument, { input: { ticketId: id, resolutionNotes: 'Done' } }, agent.token).then(ok);
  const reopen = (id: string) => app.gql(ReopenTicketDocument, { input: { ticketId: id, reason: 'Again' } }, agent.token).then(ok);

  const first = await Promise.all([0, 1, 2, 3, 4, 5].map(create));
  await Promise.all(first.map(start));
  // The consumer counts while they write.
  const counting = (async () => {
    for (let i = 0; i < 5; i += 1) await countRollUps(app);
  })();
  const [, second] = await Promise.all([Promise.all(first.map(resolve)), Promise.all([6, 7, 8, 9, 10, 11].map(create))]);
  await Promise.all([Promise.all(first.slice(0, 3).map(reopen)), Promise.all(second.map(start))]);
  await Promise.all(second.map(resolve));
  await counting;
  await countRollUps(app);
  const ids = [...first, ...second];
  expect(await checkRollUps(app.em())).toEqual(EXACT);
  const [{ resolved, reopened }] = await app.em().getConnection().execute(
    `select count(*) filter (where jsonb_array_length(state->'resolvedMoves') = 1)::int as resolved, count(*) filter (where jsonb_array_length(state->'reopens') = 1)::int as reopened
       from roll_up_ticket where ticket_id = any(?::uuid[])`,
    [`{${ids.map((id) => fromGlobalId(id)!.id).join(',')}}`],
  );
  expect({ resolved, reopened }).toEqual({ resolved: 12, reopened: 3 });
});

it('finds roll-ups that drifted from the tickets, and the rebuild puts them back', async () => {
  const [first, second] = tickets;
  const connection = app.em().getConnection();
  await countRollUps(app);
  // Counted states that are not the tickets' (no entry after the checkpoint names them), and rows that are not the sum of the states' shares.
  await connection.execute(`update roll_up_ticket set state = jsonb_set(state, '{tagIds}', '[]') where ticket_id = ?`, [first.id]);
  await connection.execute(`update roll_up_ticket set state = jsonb_set(state, '{assignments}', '[]') where ticket_id = ?`, [second.id]);
  await connection.execute(`update roll_up set count = count + 1 where (measure, scope, dimension) = ('created', 'all', 'none') and month is not null`);
  await connection.execute(
    `update roll_up set sum = sum - 60 where ctid = (select ctid from roll_up where (measure, scope, dimension) = ('resolution_seconds', 'all', 'priority') and month is null limit 1)`,
  );
  await connection.execute(`delete from roll_up where (measure, scope, dimension) = ('resolved_move', 'business', 'none') and month is null`);

  const found = await checkRollUps(app.em(), 1000);
  expect(found.tickets.sort()).toEqual([first.id, second.id].sort());
  // The first ticket's tag rows and the second's assignment rows follow its counted state: they differ from the other rows too.
  expect(found.rows.length).toBeGreaterThanOrEqual(4);
  expect(found.rows.some((key) => key.startsWith('created all none'))).toBe(true);
  expect(found.rows.some((key) => key.startsWith('resolution_seconds all priority'))).toBe(true);
  expect(found.rows.some((key) => key.startsWith('resolved_move business'))).toBe(true);

  await rebuildRollUps(app.em());
  expect(await checkRollUps(app.em())).toEqual(EXACT);
});

it('finds a figure that drifted from the timeline, and the rebuild puts it back', async () => {
  const [first] = tickets;
  const em = app.em();
  await em.getConnection().execute('update ticket set reopen_count = reopen_count + 1, first_response_seconds = 1 where id = ?', [first.id]);

  const found = await rebuildOutcomes(app.em(), { ticketIds: [first.id] });
  expect(found.mismatches.map((m) => m.field).sort()).toEqual(['firstResponseSeconds', 'reopenCount']);

  await rebuildOutcomes(app.em(), { ticketIds: [first.id], write: true });
  expect((await rebuildOutcomes(app.em(), { ticketIds: [first.id] })).mismatches).toEqual([]);
});

it('follow a title written otherwise (its case only) and a move to another business', async () => {
  const connection = app.em().getConnection();
  const [ticket] = await connection.execute(`select id, business_id from ticket where business_id is not null and assignee_id is not null and title <> upper(title) order by id limit 1`);
  const [{ title }] = await connection.execute(`select title from ticket where id = ?`, [ticket.id]);
  const other = await make.business(app);
  const id = (await app.em().findOneOrFail(Ticket, { id: ticket.id })).globalId;
  // The same title case-blind, another spelling; then another business.
  expect((await app.gql(UpdateTicketDocument, { input: { ticketId: id, title: String(title).toUpperCase() } }, admin.token)).errors).toBeUndefined();
  expect((await app.gql(LinkTicketDocument, { input: { ticketId: id, businessId: other.globalId } }, admin.token)).errors).toBeUndefined();
  await countRollUps(app);
  expect(await checkRollUps(app.em())).toEqual(EXACT);
  const [{ state }] = await connection.execute(`select state from roll_up_ticket where ticket_id = ?`, [ticket.id]);
  expect({ title: state.title, businessId: state.businessId }).toEqual({ title: String(title).toUpperCase(), businessId: other.id });
});

// Last in the file: it deletes a ticket.
it('find a write beside the timeline (a deleted ticket, a bulk import in SQL), which a rebuild counts', async () => {
  const connection = app.em().getConnection();
  await countRollUps(app);
  const [resolved] = await connection.execute(`select id from ticket where resolved_at is not null and first_responded_at is not null order by id limit 1`);
  const [copy] = await connection.execute(`select * from ticket where id = ?`, [resolved.id]);
  await connection.execute(`delete from ticket where id = ?`, [resolved.id]);
  expect((await checkRollUps(app.em())).tickets).toEqual([resolved.id]);

  // The same row back, figures and all, written straight into the table; its timeline and tags went with the delete.
  const generated = (await connection.execute<{ attname: string }[]>(`select attname from pg_attribute where attrelid = 'ticket'::regclass and attgenerated <> ''`)).map(
    (row) => row.attname,
  );
  const columns = Object.keys(copy).filter((column) => !generated.includes(column));
  await connection.execute(`insert into ticket (${columns.join(', ')}) select ${columns.join(', ')} from json_populate_record(null::ticket, ?::json)`, [JSON.stringify(copy)]);
  expect((await checkRollUps(app.em())).tickets).toEqual([resolved.id]);
  await rebuildRollUps(app.em());
  expect(await checkRollUps(app.em())).toEqual(EXACT);
  const [{ n }] = await connection.execute(`select count(*)::int as n from roll_up where measure = 'resolution_seconds' and scope = 'assignee' and count > 0`);
  expect(n).toBeGreaterThan(0);
});
