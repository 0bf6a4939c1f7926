import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AddCommentDocument,
  AssignTicketDocument,
  CreateTicketDocument,
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
import { checkDigests, rebuildDigests } from '../../src/modules/reports/report-digests';
import { Tag } from '../../src/modules/tags/tag.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketPriority, TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { Role } from '../../src/modules/users/user.enums';
import { fromGlobalId } from '../../src/shared/global-id';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The figures reports read are settled on the ticket row as the timeline grows. Here a seeded random
 * walk drives tickets through the real API at made-up instants (nights, weekends, reopens, pauses,
 * priority changes, tags, assignments), then every ticket's timeline is replayed and must give exactly
 * the stored figures; the digests the database keeps for reports must equal the timeline's too.
 */

let app: TestApp;
let admin: make.Staff;
let agent: make.Staff;
let otherAgent: make.Staff;
let customer: make.Customer;
let business: Awaited<ReturnType<typeof make.business>>;
let tickets: Ticket[];

/** What checkDigests finds when every digest and roll-up equals the timeline. */
const EXACT = { tickets: [], hours: [], scopeDays: [], tagDays: [], assignmentDays: [], scopeMonths: [], scopeTagMonths: [], titleMonths: [], titleTotals: [], businessAssignmentMonths: [], scopeTitleMonths: [], scopeTitleTotals: [], scopeSpellingTotals: [], agentBusinessMonths: [], agentBusinessTotals: [], businessTotals: [], titleSpellings: [], durationMonths: [] };

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

  // Merging tags moves tickets from one tag to another in SQL: the tag ids on the rows follow.
  const em = app.em();
  const [vpn, network] = await Promise.all([em.findOneOrFail(Tag, { name: 'vpn' }), em.findOneOrFail(Tag, { name: 'network' })]);
  expect((await app.gql(MergeTagsDocument, { sourceTagId: vpn.globalId, targetTagId: network.globalId }, admin.token)).errors).toBeUndefined();

  expect(await checkDigests(app.em())).toEqual(EXACT);
  // The walk reached what the digests are about: tags, assignments, resolutions and reopens on the rows.
  const [reached] = await em.getConnection().execute(
    `select count(*) filter (where cardinality(tag_ids) > 1) as tagged, count(*) filter (where cardinality(assigned_to) > 1) as reassigned,
            count(*) filter (where cardinality(resolved_moves) > 1) as resolved_twice, count(*) filter (where cardinality(reopened_moves) > 0) as reopened
       from ticket`,
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
  // Creating a ticket counts it in report_hour before its first timeline entry; resolving counts after it.
  const [, second] = await Promise.all([Promise.all(first.map(resolve)), Promise.all([6, 7, 8, 9, 10, 11].map(create))]);
  await Promise.all([Promise.all(first.slice(0, 3).map(reopen)), Promise.all(second.map(start))]);
  await Promise.all(second.map(resolve));
  const ids = [...first, ...second];
  expect(await checkDigests(app.em())).toEqual(EXACT);
  const [{ resolved, reopened }] = await app.em().getConnection().execute(
    `select count(*) filter (where cardinality(resolved_moves) = 1)::int as resolved, count(*) filter (where cardinality(reopened_moves) = 1)::int as reopened
       from ticket where id = any(?::uuid[])`,
    [`{${ids.map((id) => fromGlobalId(id)!.id).join(',')}}`],
  );
  expect({ resolved, reopened }).toEqual({ resolved: 12, reopened: 3 });
});

it('finds digests that drifted from the timeline, and the rebuild puts them back', async () => {
  const [first, second] = tickets;
  const em = app.em();
  await em.getConnection().execute(`update ticket set tag_ids = '{}', reopened_moves = reopened_moves || now() where id = ?`, [first.id]);
  await em.getConnection().execute(`update ticket set assigned_to = '{}', assigned_at = '{}' where id = ?`, [second.id]);
  await em.getConnection().execute(`update report_hour set created = created + 1 where hour = (select min(hour) from report_hour)`);
  await em.getConnection().execute(`update report_scope_day set resolved = resolved + 1 where (scope, scope_id, day) = (select scope, scope_id, min(day) from report_scope_day group by 1, 2 limit 1)`);
  await em.getConnection().execute(`update report_tag_day set created = created - 1 where (tag_id, day) = (select tag_id, min(day) from report_tag_day group by 1 limit 1)`);
  await em.getConnection().execute(`update report_assignment_day set assigned = assigned + 1 where (assignee_id, day) = (select assignee_id, max(day) from report_assignment_day group by 1 limit 1)`);
  // Business and agent months away from the first ticket's (whose tags were just dropped).
  const elsewhere = `scope_id not in (select business_id from ticket where id = '${first.id}' union select assignee_id from ticket where id = '${first.id}')`;
  await em.getConnection().execute(
    `update report_scope_month set created = created + 1 where (scope, scope_id, month, status, priority, channel) = (select scope, scope_id, month, status, priority, channel from report_scope_month where scope = 'A' and ${elsewhere} limit 1)`,
  );
  await em.getConnection().execute(
    `update report_scope_tag_month set created = created + 1 where (scope, scope_id, month, tag_id) = (select scope, scope_id, month, tag_id from report_scope_tag_month where scope = 'B' and created > 0 and tag_id not in (select tag_id from ticket_tag where ticket_id = '${first.id}') limit 1)`,
  );
  await em.getConnection().execute(
    `update report_business_assignment_month set assigned = assigned + 1 where (business_id, month, assignee_id) = (select business_id, month, assignee_id from report_business_assignment_month order by 1, 2, 3 limit 1)`,
  );
  await em.getConnection().execute(`update report_title_total set created = created + 2 where title_key = (select max(title_key) from report_title_total)`);
  await em.getConnection().execute(`delete from report_title_month where (title_key, spelling_key, month) = (select title_key, spelling_key, month from report_title_month limit 1)`);
  // One row of each table of a scope's titles and an agent's businesses, away from the two tickets changed above.
  const others = `(select business_id from ticket where id in ('${first.id}', '${second.id}') union select assignee_id from ticket where id in ('${first.id}', '${second.id}'))`;
  await em.getConnection().execute(`update report_scope_title_month set created = created + 1 where (scope, scope_id, title_key, month, spelling_key) = (select scope, scope_id, title_key, month, spelling_key from report_scope_title_month where scope_id not in ${others} limit 1)`);
  await em.getConnection().execute(`delete from report_scope_title_total where (scope, scope_id, title_key) = (select scope, scope_id, title_key from report_scope_title_total where scope_id not in ${others} limit 1)`);
  await em.getConnection().execute(
    `update report_scope_spelling_total set created = created + 1 where (scope, scope_id, title_key, spelling_key) = (select scope, scope_id, title_key, spelling_key from report_scope_spelling_total where scope_id not in ${others} limit 1)`,
  );
  await em.getConnection().execute(`update report_agent_business_month set created = created - 1 where (assignee_id, business_id, month) = (select assignee_id, business_id, month from report_agent_business_month where assignee_id not in ${others} limit 1)`);
  await em.getConnection().execute(`update report_business_total set created = created + 1 where business_id = (select business_id from report_business_total order by business_id limit 1)`);
  await em.getConnection().execute(`update report_title_spelling set title = upper(title) where spelling_key = (select spelling_key from ticket where id not in ('${first.id}', '${second.id}') limit 1)`);
  await em.getConnection().execute(`update report_agent_business_total set created = created + 3 where (assignee_id, business_id) = (select assignee_id, business_id from report_agent_business_total where assignee_id not in ${others} limit 1)`);
  // One bucket of one month's histogram, and one month's ratings.
  await em.getConnection().execute(`update report_duration_month set wall_counts[11] = wall_counts[11] + 1 where (measure, scope, month) = ('R', '*', (select min(month) from report_duration_month))`);
  await em.getConnection().execute(
    `update report_duration_month set rated = rated + 1
      where (measure, scope, scope_key, month) = (select measure, scope, scope_key, month from report_duration_month where (measure, scope) = ('R', 'P') order by month desc limit 1)`,
  );

  const found = await checkDigests(app.em());
  expect(found.tickets.sort()).toEqual([first.id, second.id].sort());
  expect(found.hours).toHaveLength(1);
  // The day changed by hand, and the reopen added to the first ticket's row: its business's and its agent's day of now.
  expect(found.scopeDays).toHaveLength(3);
  expect(found.tagDays).toHaveLength(1);
  expect(found.assignmentDays).toHaveLength(1);
  expect(found.titleMonths).toHaveLength(1);
  expect(found.titleTotals).toHaveLength(1);
  expect([found.scopeTitleMonths, found.scopeTitleTotals, found.scopeSpellingTotals, found.agentBusinessMonths, found.agentBusinessTotals, found.businessTotals].map((rows) => rows.length)).toEqual([1, 1, 1, 1, 1, 1]);
  // The spelling written otherwise: its row and the row the tickets give differ (each is absent from the other).
  expect(found.titleSpellings).toHaveLength(2);
  // The month changed by hand, and the second ticket's assignment months (its assignments were cleared from its row).
  expect(found.businessAssignmentMonths).toHaveLength(3);
  // The months changed by hand; and the first ticket's tag months (of its business and agent, out of its two tags'), which
  // come from the tag links. (report_scope_month counts it as untagged, as its tag ids say: those are checked on their own.)
  expect(found.scopeMonths).toHaveLength(1);
  expect(found.scopeTagMonths).toHaveLength(5);
  expect(found.durationMonths).toHaveLength(2);

  await rebuildDigests(app.em());
  expect(await checkDigests(app.em())).toEqual(EXACT);
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
  const [ticket] = await connection.execute(`select id from ticket where business_id is not null and assignee_id is not null and title <> upper(title) order by id limit 1`);
  // The same title case-blind, another spelling: the spelling's rows move, the title's stay.
  await connection.execute(`update ticket set title = upper(title) where id = ?`, [ticket.id]);
  expect(await checkDigests(app.em())).toEqual(EXACT);
  await connection.execute(`update ticket set business_id = (select id from business where id <> ticket.business_id order by id limit 1) where id = ?`, [ticket.id]);
  expect(await checkDigests(app.em())).toEqual(EXACT);
});

// Last in the file: it deletes a ticket.
it('stay exact when a resolved ticket is deleted, and when a ticket arrives with its figures (a bulk import)', async () => {
  const connection = app.em().getConnection();
  const [resolved] = await connection.execute(`select id from ticket where resolved_at is not null and first_responded_at is not null order by id limit 1`);
  const [copy] = await connection.execute(`select * from ticket where id = ?`, [resolved.id]);
  await connection.execute(`delete from ticket where id = ?`, [resolved.id]);
  expect(await checkDigests(app.em())).toEqual(EXACT);

  // The same row back, figures and all, written straight into the table; its timeline and tags went with the delete.
  const generated = (await connection.execute<{ attname: string }[]>(`select attname from pg_attribute where attrelid = 'ticket'::regclass and attgenerated <> ''`)).map(
    (row) => row.attname,
  );
  const columns = Object.keys(copy).filter((column) => !generated.includes(column));
  const row = { ...copy, tag_ids: [], resolved_moves: [], reopened_moves: [], assigned_at: [], assigned_to: [] };
  await connection.execute(`insert into ticket (${columns.join(', ')}) select ${columns.join(', ')} from json_populate_record(null::ticket, ?::json)`, [JSON.stringify(row)]);
  expect(await checkDigests(app.em())).toEqual(EXACT);
  const [{ n }] = await connection.execute(`select count(*)::int as n from report_duration_month where scope = 'A' and tickets > 0`);
  expect(n).toBeGreaterThan(0);
});
