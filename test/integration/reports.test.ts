/**
 * The reports against figures computed by hand.
 *
 * The fixture is one fortnight of March 2026 driven through the real API, with only `Date` faked, so
 * every timestamp the server writes (ticket creation, timeline entries, resolutions, ratings) is an
 * instant chosen here. All of it lies in the past, so the database's real now() is after every due date.
 *
 * Calendar: Europe/Berlin, Mon–Fri 09:00–17:00. Before the DST change of 29 March Berlin is UTC+1,
 * so business hours are 08:00–16:00 UTC. All times below are UTC unless marked "Berlin".
 *
 * Policies:  HIGH    business hours, pauses on third party, first response 2 h,  resolution 16 h
 *            URGENT  24/7,           runs on third party,   first response 1 h,  resolution 4 h
 *            MEDIUM  24/7,                                  first response 8 h,  resolution 24 h
 *            LOW     24/7,                                  first response 4 h,  resolution 40 h
 *
 * March 2026: Fri 6, Sat 7, Sun 8, Mon 9, Tue 10, Wed 11, Thu 12, Fri 13, Mon 16.
 *
 * T0  "Invoice shows wrong VAT"   Globex, HIGH, Bob (at creation), tags billing
 *     Fri 6 14:00 created · 14:20 IN_PROGRESS · 14:30 Bob replies (first response)
 *     15:00 WAITING_ON_CUSTOMER · Sun 8 20:00 customer replies → IN_PROGRESS · Mon 9 12:00 resolved · rated 5
 *     resolution: wall 70 h − 53 h paused = 17 h; business (Fri 14–16 = 2 h) + (Mon 08–12 = 4 h) − (Fri 15–16 = 1 h) = 5 h
 * T1  "Printer jam on floor 3"    Acme, HIGH, tags printer, hardware
 *     Mon 9 08:00 created · 09:00 Alice IN_PROGRESS (becomes assignee) · 09:30 Alice replies: 1.5 h (business 1.5 h)
 *     15:00 WAITING_ON_CUSTOMER · Tue 10 09:00 customer replies → IN_PROGRESS · 11:00 resolved
 *     15:00 customer reopens · Wed 11 09:00 resolved again · rated 2
 *     resolution: wall 49 h − 18 h waiting − 4 h resolved = 27 h;
 *                 business (Mon 8 + Tue 8 + Wed 1 = 17 h) − (Mon 15–16 + Tue 08–09 = 2 h) − (Tue 11–15 = 4 h) = 11 h
 * T2  "PRINTER JAM ON FLOOR 3"    Acme, URGENT, Alice at creation, tags printer
 *     Tue 10 23:30 created (Wed 11 00:30 Berlin) · 23:45 reassigned to Bob · Wed 11 00:00 Bob replies: 0.5 h
 *     00:10 IN_PROGRESS · 01:00 WAITING_ON_THIRD_PARTY (URGENT keeps running) · 02:30 IN_PROGRESS
 *     04:00 resolved: 4.5 h, past the 4 h target (due 03:30) → resolution breached · not rated
 * T3  "VPN drops every hour"      Globex, HIGH, tags network
 *     Wed 11 14:00 created · 14:10 Alice IN_PROGRESS (becomes assignee) · 15:00 WAITING_ON_THIRD_PARTY (HIGH pauses)
 *     15:30 IN_PROGRESS · Thu 12 09:00 Alice replies: wall 19 h − 0.5 h = 18.5 h; business (Wed 14–16 + Thu 08–09 = 3 h) − 0.5 h = 2.5 h
 *     first response due at 2.5 business hours = Thu 08:30 → breached
 *     Mon 16 10:00 resolved (after the period): wall 116 h − 0.5 h = 115.5 h; business (2 + 8 + 8 + 2 = 20 h) − 0.5 h = 19.5 h;
 *     due 16.5 business hours after creation = Fri 13 14:30 → breached
 * T4  "Cannot log in to portal"   no business (UNASSIGNED), MEDIUM, phone, unassigned, untagged
 *     Thu 12 10:00 created, never touched: both targets past due with the clock running → breached
 * T6  "printer jammed on floor 2" Globex, URGENT, Alice at creation, tags printer, billing
 *     Thu 12 20:00 created · 20:45 Alice replies: 0.75 h · 20:50 IN_PROGRESS
 *     23:30 resolved (Fri 13 00:30 Berlin): 3.5 h · Fri 13 08:00 customer confirms → CLOSED · rated 4
 * T5  "Request for new laptop"    Globex, LOW, email, tags hardware
 *     Fri 13 09:00 created · 09:05 Bob IN_PROGRESS (becomes assignee) · 09:30 Bob replies: 0.5 h
 *     10:00 WAITING_ON_CUSTOMER, still waiting → resolution pending
 *
 * The main period R is Mon 9 00:00 to Sat 14 00:00 UTC: T1–T6 are created in it; T0 was created
 * before it and resolved in it; T3 is created in it and resolved after it.
 *
 * April (period R_APRIL, Mon 6 to Thu 9; Berlin on summer time, business hours 07:00–15:00 UTC):
 * A1, A2 "Printer jam on floor 3", A3 "PRINTER JAM ON FLOOR 3", A4 "printer jammed, 2nd floor", A5 "VPN drops
 * every hour", created Mon 6 09:00–09:40, ten minutes apart, never touched (title clusters); and
 * P   "Mail server down"          Acme, URGENT: Tue 7 06:00 created · 06:30 Bob IN_PROGRESS · 07:00 Bob replies: 1 h
 *     15:00 WAITING_ON_CUSTOMER · Wed 8 07:00 IN_PROGRESS (16 h waited) · 08:00 raised to HIGH · 11:00 resolved
 *     resolution: wall 29 h − 16 h = 13 h; business on HIGH's calendar (Tue 07–15 + Wed 07–11 = 12 h) − 0 h = 12 h
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AddCommentDocument,
  AssignTicketDocument,
  ChangeTicketStatusDocument,
  ConfirmResolutionDocument,
  CreateTicketDocument,
  ReopenTicketDocument,
  ReportsAgentsDocument,
  ReportsDurationsDocument,
  ReportsOutcomesDocument,
  ReportsRateTicketDocument,
  ReportsRecurringDefaultDocument,
  ReportsRecurringDocument,
  ReportsScopeVolumeDocument,
  ReportsSeriesDocument,
  ReportsTotalDocument,
  ReportsVolumeDocument,
  ResolveTicketDocument,
  UpdateBusinessHoursDocument,
  UpdateSlaPolicyDocument,
  UpdateTicketDocument,
  type CreateTicketInput,
  type ReportDimension,
  type ReportInterval,
  type ReportRangeInput,
  type TicketFilter,
  type TicketStatus,
} from '../__generated__/graphql';
import { Tag } from '../../src/modules/tags/tag.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { similarity, trigramCodes } from '../../src/modules/reports/title-similarity';
import { checkRollUps, rebuildRollUps } from '../../src/modules/reports/roll-up.rebuild';
import { durationSummaries, FIRST_RESPONSE, RESOLUTION } from '../../src/modules/reports/duration-percentiles.query';
import { ReportDimension as Dimension } from '../../src/modules/reports/report.inputs';
import { reportWindow } from '../../src/modules/reports/report-window';
import { targetOf } from '../../src/modules/reports/roll-up.query';
import { pgArray } from '../../src/shared/sql';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { Role } from '../../src/modules/users/user.enums';
import { fromGlobalId, toGlobalId } from '../../src/shared/global-id';
import * as make from '../factories';
import { countRollUps, resetRollUps } from '../setup/roll-ups';
import { startTestApp, type GraphQLResponse, type TestApp } from '../setup/test-app';

let app: TestApp;
let admin: make.Staff;
let alice: make.Staff;
let bob: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let globex: Awaited<ReturnType<typeof make.business>>;
let carol: make.Customer; // at Acme
let gina: make.Customer; // at Globex
let reportsKey: string;
let ticketsOnlyKey: string;

/** Global ids of the fixture tickets. */
const T: Record<'T0' | 'T1' | 'T2' | 'T3' | 'T4' | 'T5' | 'T6', string> = { T0: '', T1: '', T2: '', T3: '', T4: '', T5: '', T6: '' };
/** Global ids of the April tickets (their own period, R_APRIL). */
const A: Record<'A1' | 'A2' | 'A3' | 'A4' | 'A5' | 'P', string> = { A1: '', A2: '', A3: '', A4: '', A5: '', P: '' };
/** Global ids of the tags, by name. */
const TAG: Record<string, string> = {};

/** The main period: Mon 9 March 00:00 to Sat 14 March 00:00 UTC. */
const R: ReportRangeInput = { from: '2026-03-09T00:00:00.000Z', to: '2026-03-14T00:00:00.000Z' };
const R_BERLIN: ReportRangeInput = { ...R, timeZone: 'Europe/Berlin' };
/** Mon 6 to Thu 9 April: the April tickets only. */
const R_APRIL: ReportRangeInput = { from: '2026-04-06T00:00:00.000Z', to: '2026-04-09T00:00:00.000Z' };

/** Only `Date` is faked: timers, ticks and microtasks stay real, so pg, MikroORM, undici and express run as usual. */
const ONLY_DATE: Parameters<typeof jest.useFakeTimers>[0] = {
  doNotFake: [
    'hrtime',
    'nextTick',
    'performance',
    'queueMicrotask',
    'requestAnimationFrame',
    'cancelAnimationFrame',
    'requestIdleCallback',
    'cancelIdleCallback',
    'setImmediate',
    'clearImmediate',
    'setInterval',
    'clearInterval',
    'setTimeout',
    'clearTimeout',
  ],
};

let clock = 0;

/** Sends one operation at the given instant (strictly after the previous one) and answers its data; any error fails. */
async function at<R, V>(iso: string, document: TypedDocumentNode<R, V>, variables: V, token: string): Promise<R> {
  const instant = new Date(iso);
  if (!(instant.getTime() > clock)) throw new Error(`fixture out of order at ${iso}`);
  clock = instant.getTime();
  jest.setSystemTime(instant);
  const res = await app.gql(document, variables, token);
  if (res.errors) throw new Error(`at ${iso}: ${JSON.stringify(res.errors)}`);
  return res.data!;
}

async function create(iso: string, input: Omit<CreateTicketInput, 'description'>): Promise<string> {
  const data = await at(iso, CreateTicketDocument, { input: { ...input, description: 'See title.' } }, admin.token);
  // The fake clock reached the server: the ticket is stamped with the fixture's instant.
  expect(data.createTicket.ticket.createdAt).toBe(iso);
  return data.createTicket.ticket.id;
}
const move = (iso: string, ticketId: string, status: `${TicketStatus}`, by: make.Staff, reason?: string) =>
  at(iso, ChangeTicketStatusDocument, { input: { ticketId, status: status as TicketStatus, reason } }, by.token);
const resolve = (iso: string, ticketId: string, by: make.Staff) =>
  at(iso, ResolveTicketDocument, { input: { ticketId, resolutionNotes: 'Fixed.' } }, by.token);
const reply = (iso: string, ticketId: string, token: string) => at(iso, AddCommentDocument, { input: { ticketId, body: 'Reply.' } }, token);
const rate = (iso: string, ticketId: string, score: number, by: make.Customer) =>
  at(iso, ReportsRateTicketDocument, { input: { ticketId, score } }, by.token);

async function buildFixture() {
  // T0: created before the period, waits on the customer over the weekend, resolved in the period.
  T.T0 = await create('2026-03-06T14:00:00.000Z', {
    title: 'Invoice shows wrong VAT',
    businessId: globex.globalId,
    contactId: gina.contact.globalId,
    priority: 'HIGH' as never,
    assigneeId: bob.user.globalId,
    tags: ['billing'],
  });
  await move('2026-03-06T14:20:00.000Z', T.T0, 'IN_PROGRESS', bob);
  await reply('2026-03-06T14:30:00.000Z', T.T0, bob.token);
  await move('2026-03-06T15:00:00.000Z', T.T0, 'WAITING_ON_CUSTOMER', bob, 'Which invoice?');
  await reply('2026-03-08T20:00:00.000Z', T.T0, gina.token); // Sunday: the customer's reply resumes the clocks

  T.T1 = await create('2026-03-09T08:00:00.000Z', {
    title: 'Printer jam on floor 3',
    businessId: acme.globalId,
    contactId: carol.contact.globalId,
    priority: 'HIGH' as never,
    tags: ['printer', 'hardware'],
  });
  await move('2026-03-09T09:00:00.000Z', T.T1, 'IN_PROGRESS', alice);
  await reply('2026-03-09T09:30:00.000Z', T.T1, alice.token);
  await resolve('2026-03-09T12:00:00.000Z', T.T0, bob);
  await rate('2026-03-09T12:30:00.000Z', T.T0, 5, gina);
  await move('2026-03-09T15:00:00.000Z', T.T1, 'WAITING_ON_CUSTOMER', alice, 'Which tray?');
  await reply('2026-03-10T09:00:00.000Z', T.T1, carol.token);
  await resolve('2026-03-10T11:00:00.000Z', T.T1, alice);
  await at('2026-03-10T15:00:00.000Z', ReopenTicketDocument, { input: { ticketId: T.T1, reason: 'Jammed again' } }, carol.token);

  // T2: created at 23:30 UTC, which is already Wednesday in Berlin.
  T.T2 = await create('2026-03-10T23:30:00.000Z', {
    title: 'PRINTER JAM ON FLOOR 3',
    businessId: acme.globalId,
    contactId: carol.contact.globalId,
    priority: 'URGENT' as never,
    assigneeId: alice.user.globalId,
    tags: ['printer'],
  });
  await at('2026-03-10T23:45:00.000Z', AssignTicketDocument, { input: { ticketId: T.T2, assigneeId: bob.user.globalId } }, admin.token);
  await reply('2026-03-11T00:00:00.000Z', T.T2, bob.token);
  await move('2026-03-11T00:10:00.000Z', T.T2, 'IN_PROGRESS', bob);
  await move('2026-03-11T01:00:00.000Z', T.T2, 'WAITING_ON_THIRD_PARTY', bob, 'Vendor');
  await move('2026-03-11T02:30:00.000Z', T.T2, 'IN_PROGRESS', bob);
  await resolve('2026-03-11T04:00:00.000Z', T.T2, bob);
  await resolve('2026-03-11T09:00:00.000Z', T.T1, alice);
  await rate('2026-03-11T10:00:00.000Z', T.T1, 2, carol);

  T.T3 = await create('2026-03-11T14:00:00.000Z', {
    title: 'VPN drops every hour',
    businessId: globex.globalId,
    contactId: gina.contact.globalId,
    priority: 'HIGH' as never,
    tags: ['network'],
  });
  await move('2026-03-11T14:10:00.000Z', T.T3, 'IN_PROGRESS', alice);
  await move('2026-03-11T15:00:00.000Z', T.T3, 'WAITING_ON_THIRD_PARTY', alice, 'Carrier');
  await move('2026-03-11T15:30:00.000Z', T.T3, 'IN_PROGRESS', alice);
  await reply('2026-03-12T09:00:00.000Z', T.T3, alice.token);

  // The consumer counts what happened so far; the rest of the fixture is counted by the reports from the timeline after it.
  await countRollUps(app);

  T.T4 = await create('2026-03-12T10:00:00.000Z', {
    title: 'Cannot log in to portal',
    priority: 'MEDIUM' as never,
    channel: 'PHONE' as never,
    submitterName: 'Pat Caller',
    submitterEmail: 'pat@caller.example',
  });

  T.T6 = await create('2026-03-12T20:00:00.000Z', {
    title: 'printer jammed on floor 2',
    businessId: globex.globalId,
    contactId: gina.contact.globalId,
    priority: 'URGENT' as never,
    assigneeId: alice.user.globalId,
    tags: ['printer', 'billing'],
  });
  await reply('2026-03-12T20:45:00.000Z', T.T6, alice.token);
  await move('2026-03-12T20:50:00.000Z', T.T6, 'IN_PROGRESS', alice);
  await resolve('2026-03-12T23:30:00.000Z', T.T6, alice); // Friday 00:30 in Berlin
  await at('2026-03-13T08:00:00.000Z', ConfirmResolutionDocument, { input: { ticketId: T.T6 } }, gina.token);
  await rate('2026-03-13T08:30:00.000Z', T.T6, 4, gina);

  T.T5 = await create('2026-03-13T09:00:00.000Z', {
    title: 'Request for new laptop',
    businessId: globex.globalId,
    contactId: gina.contact.globalId,
    priority: 'LOW' as never,
    channel: 'EMAIL' as never,
    tags: ['hardware'],
  });
  await move('2026-03-13T09:05:00.000Z', T.T5, 'IN_PROGRESS', bob);
  await reply('2026-03-13T09:30:00.000Z', T.T5, bob.token);
  await move('2026-03-13T10:00:00.000Z', T.T5, 'WAITING_ON_CUSTOMER', bob, 'Which model?');

  // After the period.
  await resolve('2026-03-16T10:00:00.000Z', T.T3, alice);

  // April (Berlin on summer time: business hours 07:00–15:00 UTC), its own period R_APRIL.
  // A1–A5: titles only (no business, left UNASSIGNED), for the title clusters.
  A.A1 = await create('2026-04-06T09:00:00.000Z', { title: 'Printer jam on floor 3' });
  A.A2 = await create('2026-04-06T09:10:00.000Z', { title: 'Printer jam on floor 3' });
  A.A3 = await create('2026-04-06T09:20:00.000Z', { title: 'PRINTER JAM ON FLOOR 3' });
  A.A4 = await create('2026-04-06T09:30:00.000Z', { title: 'printer jammed, 2nd floor' });
  A.A5 = await create('2026-04-06T09:40:00.000Z', { title: 'VPN drops every hour' });
  // P: URGENT (24/7), waits on the customer overnight, then raised to HIGH (business hours) before it is resolved.
  A.P = await create('2026-04-07T06:00:00.000Z', {
    title: 'Mail server down',
    businessId: acme.globalId,
    contactId: carol.contact.globalId,
    priority: 'URGENT' as never,
  });
  await move('2026-04-07T06:30:00.000Z', A.P, 'IN_PROGRESS', bob);
  await reply('2026-04-07T07:00:00.000Z', A.P, bob.token);
  await move('2026-04-07T15:00:00.000Z', A.P, 'WAITING_ON_CUSTOMER', bob, 'Send the bounce message');
  await move('2026-04-08T07:00:00.000Z', A.P, 'IN_PROGRESS', bob);
  await at('2026-04-08T08:00:00.000Z', UpdateTicketDocument, { input: { ticketId: A.P, priority: 'HIGH' as never } }, admin.token);
  await resolve('2026-04-08T11:00:00.000Z', A.P, bob);
}

beforeAll(async () => {
  app = await startTestApp({ JOB_INTERVAL_SECONDS: '0' });
  admin = await make.staffUser(app, Role.ADMIN, 'Ada Admin');
  alice = await make.staffUser(app, Role.AGENT, 'Alice Agent');
  bob = await make.staffUser(app, Role.AGENT, 'Bob Agent');
  acme = await make.business(app, { name: 'Acme' });
  globex = await make.business(app, { name: 'Globex' });
  carol = await make.customer(app, acme);
  gina = await make.customer(app, globex);
  reportsKey = await make.apiKey(app, admin.user, [ApiScope.REPORTS_READ]);
  ticketsOnlyKey = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ, ApiScope.TICKETS_WRITE]);

  const hours = await app.gql(
    UpdateBusinessHoursDocument,
    { input: { timeZone: 'Europe/Berlin', workingDays: [1, 2, 3, 4, 5], opensAt: '09:00', closesAt: '17:00', alwaysOpen: false } },
    admin.token,
  );
  expect(hours.errors).toBeUndefined();
  const policies = [
    { priority: 'HIGH', businessHours: true, pauseOnThirdParty: true, firstResponseMinutes: 120, resolutionMinutes: 960 },
    { priority: 'URGENT', businessHours: false, pauseOnThirdParty: false, firstResponseMinutes: 60, resolutionMinutes: 240 },
    { priority: 'MEDIUM', businessHours: false, pauseOnThirdParty: false, firstResponseMinutes: 480, resolutionMinutes: 1440 },
    { priority: 'LOW', businessHours: false, pauseOnThirdParty: false, firstResponseMinutes: 240, resolutionMinutes: 2400 },
  ];
  for (const input of policies) {
    const res = await app.gql(UpdateSlaPolicyDocument, { input: input as never }, admin.token);
    expect(res.errors).toBeUndefined();
  }

  jest.useFakeTimers(ONLY_DATE);
  try {
    await buildFixture();
  } finally {
    jest.useRealTimers();
  }
  for (const tag of await app.em().find(Tag, {})) TAG[tag.name] = tag.globalId;
});

afterAll(async () => {
  jest.useRealTimers();
  await app?.stop();
});

// ---------------------------------------------------------------------------------------------
// Helpers for comparing.

/** Rounds every number to 6 decimals (the server divides seconds by 3600 in floating point). */
function rounded<V>(value: V): V {
  if (typeof value === 'number') return (Math.round(value * 1e6) / 1e6) as V;
  if (Array.isArray(value)) return value.map(rounded) as V;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)])) as V;
  return value;
}

async function query<R, V>(document: TypedDocumentNode<R, V>, variables: V, token = admin.token): Promise<R> {
  const res: GraphQLResponse<R> = await app.gql(document, variables, token);
  expect(res.errors).toBeUndefined();
  return res.data!;
}

const user = (who: make.Staff) => ({ key: who.user.globalId, label: who.user.name });

/** The admin's row of agentPerformance: nothing assigned, resolved or open in any period of the fixture. */
const idleAdmin = () => ({
  agent: { id: admin.user.globalId, name: 'Ada Admin' },
  assigned: 0,
  resolved: 0,
  reopened: 0,
  medianResolutionHours: null,
  medianResolutionBusinessHours: null,
  medianFirstResponseHours: null,
  slaComplianceRate: null,
  meanSatisfaction: null,
  openTickets: 0,
});
const biz = (b: typeof acme) => ({ key: b.globalId, label: b.name });
const tag = (name: string) => ({ key: TAG[name], label: name });
const none = { key: null, label: null };
const enumValue = (value: string) => ({ key: value, label: value });

type Group = { dimension: ReportDimension; key?: string | null; label?: string | null }[];
/** A group as the server writes it: one dimension, its key and label. */
const g = (dimension: `${ReportDimension}`, value: { key: string | null; label: string | null }) => ({ dimension: dimension as ReportDimension, ...value });
const byGroup = (a: { group: Group }, b: { group: Group }) => JSON.stringify(a.group).localeCompare(JSON.stringify(b.group));
/** Rows compared regardless of their order (ties in "largest first" have no defined order). */
const sorted = <T extends { group: Group }>(rows: readonly T[]) => [...rows].sort(byGroup);
const expectLargestFirst = (groups: readonly { count: number }[]) => {
  for (let i = 1; i < groups.length; i += 1) expect(groups[i - 1].count).toBeGreaterThanOrEqual(groups[i].count);
};

const dbId = (globalId: string) => fromGlobalId(globalId)!.id;
/** Fixture names (T1, A4, …) of ticket ids, so a wrong list reads as one. */
const named = (tickets: readonly { id: string }[]) =>
  tickets.map(({ id }) => Object.entries({ ...T, ...A }).find(([, globalId]) => globalId === id)?.[0] ?? id);

// ---------------------------------------------------------------------------------------------

describe('the fixture', () => {
  it('stored the settled figures the reports read (seconds, less paused time)', async () => {
    const rows = await app.em().find(Ticket, { id: { $in: Object.values(T).map(dbId) } });
    const of = (key: keyof typeof T) => rows.find((row) => row.id === dbId(T[key]))!;
    const figures = (key: keyof typeof T) => {
      const t = of(key);
      return [t.firstResponseSeconds, t.firstResponseBusinessSeconds, t.resolutionSeconds, t.resolutionBusinessSeconds, t.reopenCount];
    };
    expect(figures('T0')).toEqual([1800, 1800, 17 * 3600, 5 * 3600, 0]); // 0.5 h, 0.5 h; 70 h − 53 h = 17 h; 6 h − 1 h = 5 h
    expect(figures('T1')).toEqual([5400, 5400, 27 * 3600, 11 * 3600, 1]); // 1.5 h; 49 − 18 − 4 = 27 h; 17 − 2 − 4 = 11 h; one reopen
    expect(figures('T2')).toEqual([1800, 1800, 4.5 * 3600, 4.5 * 3600, 0]); // 24/7: business = wall
    expect(figures('T3')).toEqual([18.5 * 3600, 2.5 * 3600, 115.5 * 3600, 19.5 * 3600, 0]); // 19 − 0.5; 3 − 0.5; 116 − 0.5; 20 − 0.5
    expect(figures('T4')).toEqual([null, null, null, null, 0]);
    expect(figures('T5')).toEqual([1800, 1800, null, null, 0]);
    expect(figures('T6')).toEqual([2700, 2700, 3.5 * 3600, 3.5 * 3600, 0]); // 0.75 h; 20:00 → 23:30
    expect(of('T1').resolvedAt).toEqual(new Date('2026-03-11T09:00:00Z')); // the last resolution
    expect(of('T6').closedAt).toEqual(new Date('2026-03-13T08:00:00Z'));
  });
});

describe('ticketVolume', () => {
  it('counts the tickets created in the period, in total and per group', async () => {
    const data = await query(ReportsVolumeDocument, { range: R });
    const v = data.reports;
    // T1–T6 (T0 was created before the period).
    expect(v.ticketVolume).toEqual({ total: 6, groups: [{ group: [], count: 6 }], series: null });
    for (const report of [v.byStatus, v.byPriority, v.byTag, v.byAssignee, v.byBusiness, v.byChannel, v.byAssigneeAndPriority]) {
      expect(report.total).toBe(6); // TAG too: the total counts tickets, not ticket-tag pairs
      expectLargestFirst(report.groups);
    }
    // Current status: T1, T2, T3 RESOLVED (T3 on Mon 16); T4 UNASSIGNED; T5 WAITING_ON_CUSTOMER; T6 CLOSED.
    expect(sorted(v.byStatus.groups)).toEqual(
      sorted([
        { group: [g('STATUS', enumValue('RESOLVED'))], count: 3 },
        { group: [g('STATUS', enumValue('UNASSIGNED'))], count: 1 },
        { group: [g('STATUS', enumValue('WAITING_ON_CUSTOMER'))], count: 1 },
        { group: [g('STATUS', enumValue('CLOSED'))], count: 1 },
      ]),
    );
    // HIGH: T1, T3; URGENT: T2, T6; MEDIUM: T4; LOW: T5.
    expect(sorted(v.byPriority.groups)).toEqual(
      sorted([
        { group: [g('PRIORITY', enumValue('HIGH'))], count: 2 },
        { group: [g('PRIORITY', enumValue('URGENT'))], count: 2 },
        { group: [g('PRIORITY', enumValue('MEDIUM'))], count: 1 },
        { group: [g('PRIORITY', enumValue('LOW'))], count: 1 },
      ]),
    );
    // printer: T1, T2, T6; hardware: T1, T5; network: T3; billing: T6 (T0 is outside); untagged: T4.
    expect(v.byTag.groups[0]).toEqual({ group: [g('TAG', tag('printer'))], count: 3 });
    expect(sorted(v.byTag.groups)).toEqual(
      sorted([
        { group: [g('TAG', tag('printer'))], count: 3 },
        { group: [g('TAG', tag('hardware'))], count: 2 },
        { group: [g('TAG', tag('network'))], count: 1 },
        { group: [g('TAG', tag('billing'))], count: 1 },
        { group: [g('TAG', none)], count: 1 },
      ]),
    );
    // Current assignee: Alice T1, T3, T6; Bob T2 (reassigned from Alice), T5; nobody T4.
    expect(v.byAssignee.groups).toEqual([
      { group: [g('ASSIGNEE', user(alice))], count: 3 },
      { group: [g('ASSIGNEE', user(bob))], count: 2 },
      { group: [g('ASSIGNEE', none)], count: 1 },
    ]);
    // Globex: T3, T5, T6; Acme: T1, T2; none: T4.
    expect(v.byBusiness.groups).toEqual([
      { group: [g('BUSINESS', biz(globex))], count: 3 },
      { group: [g('BUSINESS', biz(acme))], count: 2 },
      { group: [g('BUSINESS', none)], count: 1 },
    ]);
    // STAFF: T1, T2, T3, T6; PHONE: T4; EMAIL: T5.
    expect(v.byChannel.groups[0]).toEqual({ group: [g('CHANNEL', enumValue('STAFF'))], count: 4 });
    expect(sorted(v.byChannel.groups)).toEqual(
      sorted([
        { group: [g('CHANNEL', enumValue('STAFF'))], count: 4 },
        { group: [g('CHANNEL', enumValue('PHONE'))], count: 1 },
        { group: [g('CHANNEL', enumValue('EMAIL'))], count: 1 },
      ]),
    );
    // (Alice, HIGH): T1, T3; (Alice, URGENT): T6; (Bob, URGENT): T2; (Bob, LOW): T5; (nobody, MEDIUM): T4.
    expect(v.byAssigneeAndPriority.groups[0]).toEqual({ group: [g('ASSIGNEE', user(alice)), g('PRIORITY', enumValue('HIGH'))], count: 2 });
    expect(sorted(v.byAssigneeAndPriority.groups)).toEqual(
      sorted([
        { group: [g('ASSIGNEE', user(alice)), g('PRIORITY', enumValue('HIGH'))], count: 2 },
        { group: [g('ASSIGNEE', user(alice)), g('PRIORITY', enumValue('URGENT'))], count: 1 },
        { group: [g('ASSIGNEE', user(bob)), g('PRIORITY', enumValue('URGENT'))], count: 1 },
        { group: [g('ASSIGNEE', user(bob)), g('PRIORITY', enumValue('LOW'))], count: 1 },
        { group: [g('ASSIGNEE', none), g('PRIORITY', enumValue('MEDIUM'))], count: 1 },
      ]),
    );
  });

  const series = async (range: ReportRangeInput, interval: `${ReportInterval}`, filter?: TicketFilter) =>
    (await query(ReportsSeriesDocument, { range, filter, interval: interval as ReportInterval })).reports.ticketVolume;
  const column = (points: readonly { created: number; resolved: number; backlog: number }[], field: 'created' | 'resolved' | 'backlog') =>
    points.map((p) => p[field]);

  it('gives a DAY series in UTC: created, moves to RESOLVED and backlog per day', async () => {
    const { total, series: points } = await series(R, 'DAY');
    expect(total).toBe(6);
    expect(points!.map((p) => p.start)).toEqual([
      '2026-03-09T00:00:00.000Z',
      '2026-03-10T00:00:00.000Z',
      '2026-03-11T00:00:00.000Z',
      '2026-03-12T00:00:00.000Z',
      '2026-03-13T00:00:00.000Z',
    ]);
    // Mon T1 · Tue T2 (23:30) · Wed T3 · Thu T4, T6 · Fri T5
    expect(column(points!, 'created')).toEqual([1, 1, 1, 2, 1]);
    // Mon T0 · Tue T1 · Wed T2 (04:00), T1 again (09:00) · Thu T6 (23:30) · Fri none
    expect(column(points!, 'resolved')).toEqual([1, 1, 2, 1, 0]);
    // Open (neither RESOLVED nor CLOSED) at the end of each day (T0 was open when the period began):
    //   Mon 24:00  T1 (T0 resolved)                          = 1
    //   Tue 24:00  T1 (reopened at 15:00), T2                 = 2
    //   Wed 24:00  T3 (T1 and T2 resolved)                    = 1
    //   Thu 24:00  T3, T4 (T6 resolved at 23:30)              = 2
    //   Sat 00:00  T3, T4, T5 (T6 closed)                     = 3
    expect(column(points!, 'backlog')).toEqual([1, 2, 1, 2, 3]);
  });

  it('gives a DAY series in Europe/Berlin: buckets start at Berlin midnight and 23:30 UTC falls on the next day', async () => {
    const { series: points } = await series(R_BERLIN, 'DAY');
    // The period is 01:00 Berlin Mon 9 to 01:00 Berlin Sat 14: six Berlin days, the first starting before it.
    expect(points!.map((p) => p.start)).toEqual([
      '2026-03-08T23:00:00.000Z',
      '2026-03-09T23:00:00.000Z',
      '2026-03-10T23:00:00.000Z',
      '2026-03-11T23:00:00.000Z',
      '2026-03-12T23:00:00.000Z',
      '2026-03-13T23:00:00.000Z',
    ]);
    // Mon T1 · Tue none · Wed T2 (00:30 Berlin), T3 · Thu T4, T6 · Fri T5 · Sat none
    expect(column(points!, 'created')).toEqual([1, 0, 2, 2, 1, 0]);
    // Mon T0 · Tue T1 · Wed T2, T1 · Thu none · Fri T6 (00:30 Berlin) · Sat none
    expect(column(points!, 'resolved')).toEqual([1, 1, 2, 0, 1, 0]);
    // Open at each Berlin midnight (23:00 UTC), the last at the end of the period (Sat 00:00 UTC):
    //   Mon  T1                          = 1
    //   Tue  T1 (reopened; T2 not yet)   = 1
    //   Wed  T3                          = 1
    //   Thu  T3, T4, T6 (resolved 23:30) = 3
    //   Fri  T3, T4, T5                  = 3
    //   Sat  T3, T4, T5                  = 3
    expect(column(points!, 'backlog')).toEqual([1, 1, 1, 3, 3, 3]);
  });

  it('gives WEEK buckets from Monday and MONTH buckets from the 1st, in the time zone', async () => {
    // Fri 6 to Tue 17: the weeks of Mon 2, Mon 9 and Mon 16.
    const weeks = await series({ from: '2026-03-06T00:00:00.000Z', to: '2026-03-17T00:00:00.000Z' }, 'WEEK');
    expect(weeks.total).toBe(7); // T0–T6
    expect(weeks.series!.map((p) => p.start)).toEqual(['2026-03-02T00:00:00.000Z', '2026-03-09T00:00:00.000Z', '2026-03-16T00:00:00.000Z']);
    expect(column(weeks.series!, 'created')).toEqual([1, 6, 0]); // T0 · T1–T6 · none
    expect(column(weeks.series!, 'resolved')).toEqual([0, 5, 1]); // none · T0, T1 twice, T2, T6 · T3

    const month = await series(R_BERLIN, 'MONTH');
    // One bucket: 1 March, Berlin midnight, before the period. Created T1–T6; resolved T0, T1 twice, T2, T6; open at the end T3, T4, T5.
    expect(month.series).toEqual([{ start: '2026-02-28T23:00:00.000Z', created: 6, resolved: 5, backlog: 3 }]);

    // End of week 1 (Mon 9 00:00): T0 = 1 · end of week 2 (Mon 16 00:00): T3, T4, T5 = 3 · end of period (Tue 17): T4, T5 = 2
    expect(column(weeks.series!, 'backlog')).toEqual([1, 3, 2]);
  });

});

describe('resolutionTimes', () => {
  it('measures resolution (last resolution in the period) and first response (first answered in the period), less paused time', async () => {
    const { reports } = await query(ReportsOutcomesDocument, { range: R });
    expect(rounded(reports.resolutionTimes)).toEqual([
      {
        group: [],
        // Resolved in the period: T0 17 h, T1 27 h, T2 4.5 h, T6 3.5 h (T3 only on Mon 16).
        resolution: {
          count: 4,
          meanHours: 13, // (17 + 27 + 4.5 + 3.5) / 4 = 52 / 4
          medianHours: 10.75, // sorted 3.5, 4.5, 17, 27: (4.5 + 17) / 2
          p90Hours: 24, // position 0.9 × 3 = 2.7: 17 + 0.7 × (27 − 17)
        },
        // Business: T0 5 h, T1 11 h, T2 4.5 h, T6 3.5 h (24/7 policies count wall-clock time).
        resolutionBusiness: {
          count: 4,
          meanHours: 6, // (5 + 11 + 4.5 + 3.5) / 4 = 24 / 4
          medianHours: 4.75, // sorted 3.5, 4.5, 5, 11: (4.5 + 5) / 2
          p90Hours: 9.2, // 5 + 0.7 × (11 − 5)
        },
        // First answered in the period: T1 1.5 h, T2 0.5 h, T3 18.5 h, T6 0.75 h, T5 0.5 h (T0 was answered on Fri 6).
        firstResponse: {
          count: 5,
          meanHours: 4.35, // (1.5 + 0.5 + 18.5 + 0.75 + 0.5) / 5 = 21.75 / 5
          medianHours: 0.75, // sorted 0.5, 0.5, 0.75, 1.5, 18.5
          p90Hours: 11.7, // position 0.9 × 4 = 3.6: 1.5 + 0.6 × (18.5 − 1.5)
        },
        // Business: T1 1.5 h, T2 0.5 h, T3 2.5 h, T6 0.75 h, T5 0.5 h.
        firstResponseBusiness: {
          count: 5,
          meanHours: 1.15, // (1.5 + 0.5 + 2.5 + 0.75 + 0.5) / 5 = 5.75 / 5
          medianHours: 0.75, // sorted 0.5, 0.5, 0.75, 1.5, 2.5
          p90Hours: 2.1, // 1.5 + 0.6 × (2.5 − 1.5)
        },
      },
    ]);
  });

  it('groups by the current assignee', async () => {
    const { reports } = await query(ReportsOutcomesDocument, { range: R });
    expect(sorted(rounded(reports.resolutionByAssignee))).toEqual(
      sorted([
        {
          group: [g('ASSIGNEE', user(alice))],
          // Alice: T1 27 h, T6 3.5 h.
          resolution: { count: 2, meanHours: 15.25, medianHours: 15.25, p90Hours: 24.65 }, // (27 + 3.5) / 2; 3.5 + 0.9 × 23.5
          // Business: T1 11 h, T6 3.5 h.
          resolutionBusiness: { count: 2, meanHours: 7.25, medianHours: 7.25, p90Hours: 10.25 }, // (11 + 3.5) / 2; 3.5 + 0.9 × 7.5
          // First answered: T1 1.5 h, T3 18.5 h, T6 0.75 h.
          firstResponse: {
            count: 3,
            meanHours: 6.916667, // 20.75 / 3
            medianHours: 1.5, // sorted 0.75, 1.5, 18.5
            p90Hours: 15.1, // position 0.9 × 2 = 1.8: 1.5 + 0.8 × (18.5 − 1.5)
          },
          // Business: T1 1.5 h, T3 2.5 h, T6 0.75 h.
          firstResponseBusiness: {
            count: 3,
            meanHours: 1.583333, // 4.75 / 3
            medianHours: 1.5, // sorted 0.75, 1.5, 2.5
            p90Hours: 2.3, // 1.5 + 0.8 × (2.5 − 1.5)
          },
        },
        {
          group: [g('ASSIGNEE', user(bob))],
          // Bob: T0 17 h, T2 4.5 h.
          resolution: { count: 2, meanHours: 10.75, medianHours: 10.75, p90Hours: 15.75 }, // (17 + 4.5) / 2; 4.5 + 0.9 × 12.5
          // Business: T0 5 h, T2 4.5 h.
          resolutionBusiness: { count: 2, meanHours: 4.75, medianHours: 4.75, p90Hours: 4.95 }, // (5 + 4.5) / 2; 4.5 + 0.9 × 0.5
          // First answered: T2 0.5 h, T5 0.5 h.
          firstResponse: { count: 2, meanHours: 0.5, medianHours: 0.5, p90Hours: 0.5 },
          firstResponseBusiness: { count: 2, meanHours: 0.5, medianHours: 0.5, p90Hours: 0.5 },
        },
      ]),
    );
  });

  it('measures a ticket created in one period in the period it is resolved in', async () => {
    const { reports } = await query(ReportsOutcomesDocument, { range: { from: '2026-03-16T00:00:00.000Z', to: '2026-03-17T00:00:00.000Z' } });
    const empty = { count: 0, meanHours: null, medianHours: null, p90Hours: null };
    expect(rounded(reports.resolutionTimes)).toEqual([
      {
        group: [],
        // T3: Wed 11 14:00 → Mon 16 10:00 = 116 h, less the 0.5 h waiting on the carrier.
        resolution: { count: 1, meanHours: 115.5, medianHours: 115.5, p90Hours: 115.5 },
        // Wed 14–16 (2 h) + Thu 8 h + Fri 8 h + Mon 08–10 (2 h) = 20 h, less 0.5 h.
        resolutionBusiness: { count: 1, meanHours: 19.5, medianHours: 19.5, p90Hours: 19.5 },
        firstResponse: empty,
        firstResponseBusiness: empty,
      },
    ]);
  });

  it('counts each stretch of business time on the calendar of the policy in force when the priority changes', async () => {
    const { reports } = await query(ReportsOutcomesDocument, { range: R_APRIL });
    const [row] = rounded(reports.resolutionTimes);
    // P: Tue 7 06:00 → Wed 8 11:00 = 29 h, less 16 h waiting on the customer (Tue 15:00 → Wed 07:00).
    expect(row.resolution).toEqual({ count: 1, meanHours: 13, medianHours: 13, p90Hours: 13 });
    // First reply at 07:00 on the URGENT (24/7) clock: 1 h.
    expect(row.firstResponse).toEqual({ count: 1, meanHours: 1, medianHours: 1, p90Hours: 1 });
    expect(row.firstResponseBusiness).toEqual({ count: 1, meanHours: 1, medianHours: 1, p90Hours: 1 });
    // Resolved as HIGH, whose calendar is Mon–Fri 07:00–15:00 UTC in April: Tue 07–15 (8 h) + Wed 07–11 (4 h) = 12 h
    // on that calendar alone. But each stretch counts on the calendar of the policy in force: the first 26 h ran on
    // the 24/7 clock (10 h running, 16 h waiting), the rest (Wed 08:00 → 11:00) on HIGH's: 10 h + 3 h = 13 h.
    expect(row.resolutionBusiness).toEqual({ count: 1, meanHours: 13, medianHours: 13, p90Hours: 13 });
  });
});

describe('period boundaries', () => {
  it('include `from` and exclude `to`', async () => {
    // From T1's creation (Mon 9 08:00) to T2's (Tue 10 23:30): T1 counts, T2 does not.
    const created = { from: '2026-03-09T08:00:00.000Z', to: '2026-03-10T23:30:00.000Z' };
    expect((await query(ReportsTotalDocument, { range: created })).reports.ticketVolume.total).toBe(1);
    const { ticketVolume } = (await query(ReportsSeriesDocument, { range: created, interval: 'DAY' as ReportInterval })).reports;
    expect(ticketVolume.series!.map((p) => [p.start, p.created, p.resolved])).toEqual([
      ['2026-03-09T00:00:00.000Z', 1, 1], // T1 created; T0 resolved
      ['2026-03-10T00:00:00.000Z', 0, 1], // T1 resolved (T2 at 23:30 is the excluded end)
    ]);

    // From T0's resolution (Mon 9 12:00) to T2's (Wed 11 04:00): T0 counts, T2 does not (T1's last resolution is Wed 09:00).
    const resolved = { from: '2026-03-09T12:00:00.000Z', to: '2026-03-11T04:00:00.000Z' };
    const { reports } = await query(ReportsOutcomesDocument, { range: resolved });
    expect(rounded(reports.resolutionTimes[0].resolution)).toEqual({ count: 1, meanHours: 17, medianHours: 17, p90Hours: 17 });
    // First answered in it: T2 (Wed 00:00); T1 was answered at 09:30 on Monday, before it.
    expect(rounded(reports.resolutionTimes[0].firstResponse)).toEqual({ count: 1, meanHours: 0.5, medianHours: 0.5, p90Hours: 0.5 });
    expect(reports.satisfaction).toEqual([{ group: [], resolved: 1, rated: 1, responseRate: 1, meanScore: 5, distribution: [0, 0, 0, 0, 1] }]); // T0, rated 5

    // Open at Tue 00:00: T1 · at the end of the period (Tue 23:30): T1 (reopened at 15:00); T2 is created at the end, not in it.
    expect(ticketVolume.series!.map((p) => p.backlog)).toEqual([1, 1]);
  });

  it('cut Berlin days at local midnight across the change to summer time', async () => {
    const { ticketVolume } = (
      await query(ReportsSeriesDocument, {
        range: { from: '2026-03-28T00:00:00.000Z', to: '2026-03-31T00:00:00.000Z', timeZone: 'Europe/Berlin' },
        interval: 'DAY' as ReportInterval,
      })
    ).reports;
    // 28 and 29 March start at 23:00 UTC (UTC+1); 30 and 31 March at 22:00 UTC (UTC+2); 31 March starts before the end.
    expect(ticketVolume.series).toEqual([
      { start: '2026-03-27T23:00:00.000Z', created: 0, resolved: 0, backlog: 2 }, // open throughout: T4, T5
      { start: '2026-03-28T23:00:00.000Z', created: 0, resolved: 0, backlog: 2 },
      { start: '2026-03-29T22:00:00.000Z', created: 0, resolved: 0, backlog: 2 },
      { start: '2026-03-30T22:00:00.000Z', created: 0, resolved: 0, backlog: 2 },
    ]);
  });
});

describe('slaCompliance', () => {
  it('judges the tickets created in the period against both targets', async () => {
    const { reports } = await query(ReportsOutcomesDocument, { range: R });
    expect(rounded(reports.slaCompliance)).toEqual([
      {
        group: [],
        tickets: 6, // T1–T6
        // Met: T1 (due 10:00, 09:30), T2 (due 00:30, 00:00), T6 (due 21:00, 20:45), T5 (due 13:00, 09:30).
        // Breached: T3 (due Thu 08:30, answered 09:00), T4 (never answered, due Thu 18:00, clock running).
        firstResponse: { met: 4, breached: 2, pending: 0, rate: 0.666667 }, // 4 / (4 + 2)
        // Met: T1 (due Wed 14:00 after 6 paused business hours, resolved 09:00), T6 (due Fri 00:00, 23:30).
        // Breached: T2 (due 03:30, resolved 04:00), T3 (due Fri 14:30, resolved Mon 16), T4 (due Fri 10:00, open).
        // Pending: T5 (waiting on the customer: the clock stands still).
        resolution: { met: 2, breached: 3, pending: 1, rate: 0.4 }, // 2 / (2 + 3)
      },
    ]);
  });

  it('groups by priority', async () => {
    const { reports } = await query(ReportsOutcomesDocument, { range: R });
    expect(sorted(rounded(reports.slaByPriority))).toEqual(
      sorted([
        // T1 met both; T3 breached both.
        { group: [g('PRIORITY', enumValue('HIGH'))], tickets: 2, firstResponse: { met: 1, breached: 1, pending: 0, rate: 0.5 }, resolution: { met: 1, breached: 1, pending: 0, rate: 0.5 } },
        // T2 and T6 answered in time; T2 resolved late, T6 in time.
        { group: [g('PRIORITY', enumValue('URGENT'))], tickets: 2, firstResponse: { met: 2, breached: 0, pending: 0, rate: 1 }, resolution: { met: 1, breached: 1, pending: 0, rate: 0.5 } },
        // T4: both past due.
        { group: [g('PRIORITY', enumValue('MEDIUM'))], tickets: 1, firstResponse: { met: 0, breached: 1, pending: 0, rate: 0 }, resolution: { met: 0, breached: 1, pending: 0, rate: 0 } },
        // T5: answered in time, resolution paused: nothing decided → rate null.
        { group: [g('PRIORITY', enumValue('LOW'))], tickets: 1, firstResponse: { met: 1, breached: 0, pending: 0, rate: 1 }, resolution: { met: 0, breached: 0, pending: 1, rate: null } },
      ]),
    );
  });
});

describe('satisfaction', () => {
  it('rates the tickets resolved in the period, in total and per business', async () => {
    const { reports } = await query(ReportsOutcomesDocument, { range: R });
    // Resolved in the period: T0 (5), T1 (2), T2 (not rated), T6 (4).
    expect(rounded(reports.satisfaction)).toEqual([
      { group: [], resolved: 4, rated: 3, responseRate: 0.75, meanScore: 3.666667, distribution: [0, 1, 0, 1, 1] }, // 3 / 4; (5 + 2 + 4) / 3
    ]);
    expect(sorted(rounded(reports.satisfactionByBusiness))).toEqual(
      sorted([
        // Globex: T0 (5), T6 (4).
        { group: [g('BUSINESS', biz(globex))], resolved: 2, rated: 2, responseRate: 1, meanScore: 4.5, distribution: [0, 0, 0, 1, 1] },
        // Acme: T1 (2), T2 (not rated).
        { group: [g('BUSINESS', biz(acme))], resolved: 2, rated: 1, responseRate: 0.5, meanScore: 2, distribution: [0, 1, 0, 0, 0] },
      ]),
    );
  });
});

describe('agentPerformance', () => {
  it('has one row per staff member, most resolved first, then most open', async () => {
    const { reports } = await query(ReportsAgentsDocument, { range: R });
    expect(rounded(reports.agentPerformance)).toEqual([
      {
        agent: { id: bob.user.globalId, name: 'Bob Agent' },
        assigned: 2, // T2 (reassigned Tue 23:45), T5 (started work on Fri); T0's assignment was on Fri 6
        resolved: 2, // T0, T2
        reopened: 0,
        medianResolutionHours: 10.75, // (4.5 + 17) / 2
        medianResolutionBusinessHours: 4.75, // (4.5 + 5) / 2
        medianFirstResponseHours: 0.5, // T2 0.5 h, T5 0.5 h
        slaComplianceRate: 0.5, // T0 met, T2 breached
        meanSatisfaction: 5, // T0 rated 5, T2 not rated
        openTickets: 1, // T5 (ties with Alice on resolved; more open tickets comes first)
      },
      {
        agent: { id: alice.user.globalId, name: 'Alice Agent' },
        assigned: 4, // T1 and T3 (started work), T2 and T6 (at creation) — T2 was moved to Bob later, the entry still counts
        resolved: 2, // T1, T6
        reopened: 1, // T1 on Tue; T6's RESOLVED → CLOSED is no reopen
        medianResolutionHours: 15.25, // (3.5 + 27) / 2
        medianResolutionBusinessHours: 7.25, // (3.5 + 11) / 2
        medianFirstResponseHours: 1.5, // T6 0.75, T1 1.5, T3 18.5
        slaComplianceRate: 1, // T1 and T6 met
        meanSatisfaction: 3, // (2 + 4) / 2
        openTickets: 0, // T3 was resolved on Mon 16
      },
      idleAdmin(),
    ]);
  });

  it('picks one agent with filter.assigneeId', async () => {
    const { reports } = await query(ReportsAgentsDocument, { range: R, filter: { assigneeId: alice.user.globalId } });
    expect(reports.agentPerformance.map((row) => [row.agent.name, row.assigned, row.resolved, row.reopened])).toEqual([['Alice Agent', 4, 2, 1]]);
  });
});

describe('recurringIssues', () => {
  it('finds repeated tags, businesses and alike titles among the tickets created in the period', async () => {
    const { reports } = await query(ReportsRecurringDocument, { range: R, minOccurrences: 2 });
    const r = reports.recurringIssues;
    // printer: T1, T2, T6; hardware: T1, T5 (network and billing once each in the period). Examples newest first.
    expect(r.tags.map((x) => [x.key, x.label, x.count, named(x.examples)])).toEqual([
      [TAG.printer, 'printer', 3, ['T6', 'T2', 'T1']],
      [TAG.hardware, 'hardware', 2, ['T5', 'T1']],
    ]);
    // Globex: T3, T5, T6; Acme: T1, T2 (T4 has no business).
    expect(r.businesses.map((x) => [x.key, x.label, x.count, named(x.examples)])).toEqual([
      [globex.globalId, 'Globex', 3, ['T5', 'T6', 'T3']],
      [acme.globalId, 'Acme', 2, ['T2', 'T1']],
    ]);
    // "Printer jam on floor 3" (T1) and "PRINTER JAM ON FLOOR 3" (T2) are one title ignoring case; "printer jammed on
    // floor 2" (T6) is alike (trigram similarity 0.69 ≥ 0.45). The VPN, login and laptop titles stay alone (once each).
    expect(r.titleClusters).toHaveLength(1);
    const [cluster] = r.titleClusters;
    // The most frequent title is "printer jam on floor 3" ignoring case (2 of 3); its two spellings are tied (once each),
    // so either may be shown as written.
    const asWritten = ['Printer jam on floor 3', 'PRINTER JAM ON FLOOR 3'];
    expect(asWritten).toContain(cluster.title);
    expect(cluster.count).toBe(3);
    expect(cluster.variants).toEqual([cluster.title, 'printer jammed on floor 2']); // most frequent first
    // "Up to three of them, newest first": T6 (Thu 20:00), T2 (Tue 23:30), T1 (Mon 08:00).
    expect(named(cluster.examples)).toEqual(['T6', 'T2', 'T1']);
  });

  it('uses minOccurrences 3 by default', async () => {
    const { reports } = await query(ReportsRecurringDefaultDocument, { range: R });
    expect(reports.recurringIssues).toEqual({
      tags: [{ label: 'printer', count: 3 }],
      businesses: [{ label: 'Globex', count: 3 }],
      titleClusters: [{ title: expect.stringMatching(/^printer jam on floor 3$/i), count: 3 }],
    });
  });

  it('reads example tickets only for the lists that ask for them', async () => {
    const without = await app.countStatements(() => query(ReportsRecurringDefaultDocument, { range: R }));
    const withExamples = await app.countStatements(() => query(ReportsRecurringDocument, { range: R, minOccurrences: 3 }));
    expect(withExamples.result.reports.recurringIssues.titleClusters[0].examples).toHaveLength(3);
    // Their keys' newest tickets, and the tickets themselves.
    expect(withExamples.statements).toBe(without.statements + 2);
  });

  it('shows a cluster under its most frequent title as written', async () => {
    const { reports } = await query(ReportsRecurringDocument, { range: R_APRIL, minOccurrences: 2 });
    const r = reports.recurringIssues;
    expect(r.tags).toEqual([]); // the April tickets are untagged
    expect(r.businesses).toEqual([]); // only P has a business
    // "printer jam on floor 3" ignoring case: A1, A2 ("Printer jam on floor 3"), A3 ("PRINTER JAM ON FLOOR 3");
    // alike: A4 "printer jammed, 2nd floor" (similarity 0.55). A5 (VPN) and P (mail) stay alone.
    expect(r.titleClusters).toHaveLength(1);
    const [cluster] = r.titleClusters;
    expect(cluster.count).toBe(4);
    // "The most frequent title of the cluster": "Printer jam on floor 3" is written so twice, "PRINTER JAM ON FLOOR 3" once.
    expect({ title: cluster.title, variants: cluster.variants }).toEqual({
      title: 'Printer jam on floor 3',
      variants: ['Printer jam on floor 3', 'printer jammed, 2nd floor'],
    });
  });

  it('compares titles as pg_trgm does: the same similarity for every pair, to the last bit', async () => {
    const titles = [
      'Printer jam on floor 3', 'printer jammed, 2nd floor', 'PRINTER JAM ON FLOOR 3', 'VPN drops every hour', 'vpn dropping connection',
      'Kann mich nicht anmelden – Passwort vergessen', 'Passwort zurücksetzen funktioniert nicht', 'Ünïcödé títle wïth àccents', 'a', 'ab',
      'Invoice #4711 shows wrong VAT (19%)', 'invoice 4711 wrong vat', 'Mail server down!!!', 'mail-server down', '東京オフィスのプリンター',
      'Reset password link not arriving', 'password reset email not received', "can't log in to the portal", 'cannot log in to portal',
    ];
    const rows = await app.em().getConnection().execute<{ trigrams: string[] }[]>(
      'select show_trgm(lower(t)) as trigrams from unnest(?::text[]) with ordinality as x(t, n) order by n',
      [pgArray(titles)],
    );
    const pairs = await app.em().getConnection().execute<{ i: number; j: number; s: number }[]>(
      `select a.n::int - 1 as i, b.n::int - 1 as j, similarity(lower(a.t), lower(b.t)) as s
         from unnest(?::text[]) with ordinality as a(t, n) join unnest(?::text[]) with ordinality as b(t, n) on a.n < b.n`,
      [pgArray(titles), pgArray(titles)],
    );
    const codes = trigramCodes(rows.map((r) => r.trigrams));
    expect(pairs).toHaveLength((titles.length * (titles.length - 1)) / 2);
    // The driver reads the real as its shortest decimal: back in single precision it is the bits PostgreSQL computed.
    for (const { i, j, s } of pairs) expect([titles[i], titles[j], similarity(codes[i], codes[j])]).toEqual([titles[i], titles[j], Math.fround(Number(s))]);
    expect(pairs.filter((p) => p.s >= 0.45).length).toBeGreaterThan(3); // some pairs are alike, so the comparison covers both sides
  });

  it('counts one agent\'s tickets the same way: tags, businesses, alike titles and their newest examples', async () => {
    const { reports } = await query(ReportsRecurringDocument, { range: R, filter: { assigneeId: alice.user.globalId }, minOccurrences: 2 });
    const r = reports.recurringIssues;
    // Alice's tickets created in the period: T1 (Acme; printer, hardware), T3 (Globex; network), T6 (Globex; printer, billing).
    expect(r.tags.map((x) => [x.label, x.count, named(x.examples)])).toEqual([['printer', 2, ['T6', 'T1']]]);
    expect(r.businesses.map((x) => [x.label, x.count, named(x.examples)])).toEqual([['Globex', 2, ['T6', 'T3']]]);
    // T1 and T6 are alike; once each, the cluster is shown under the first title in alphabetical order.
    expect(r.titleClusters.map((c) => [c.title, c.count, c.variants, named(c.examples)])).toEqual([
      ['Printer jam on floor 3', 2, ['Printer jam on floor 3', 'printer jammed on floor 2'], ['T6', 'T1']],
    ]);
  });

  it('gives the newest examples of a cluster of several titles', async () => {
    const { reports } = await query(ReportsRecurringDocument, { range: R_APRIL, minOccurrences: 2 });
    const [cluster] = reports.recurringIssues.titleClusters;
    // "Up to three of them, newest first": A4 (09:30), A3 (09:20), A2 (09:10).
    expect(named(cluster.examples)).toEqual(['A4', 'A3', 'A2']);
  });
});

describe('a filter', () => {
  const globexOnly = () => ({ businessId: globex.globalId });

  it('takes a search with a question mark as text in every part of a report (never as a query placeholder)', async () => {
    await make.ticket(app, { business: globex, title: 'Why is the printer jammed?' });
    await make.ticket(app, { business: globex, title: 'why is the printer jammed?' });
    const range = { from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 3_600_000).toISOString() };
    const filter = { search: 'jammed?' };
    const { ticketVolume } = (await query(ReportsSeriesDocument, { range, filter, interval: 'DAY' as ReportInterval })).reports;
    expect(ticketVolume.total).toBe(2);
    expect(ticketVolume.series!.at(-1)!.backlog).toBe(2);
    const { recurringIssues } = (await query(ReportsRecurringDocument, { range, filter, minOccurrences: 2 })).reports;
    expect(recurringIssues.titleClusters.map((c) => [c.count, c.examples.length])).toEqual([[2, 2]]);
  });

  it('narrows ticketVolume and its series', async () => {
    const { reports } = await query(ReportsVolumeDocument, { range: R, filter: globexOnly() });
    expect(reports.ticketVolume.total).toBe(3); // T3, T5, T6
    expect(reports.byBusiness.groups).toEqual([{ group: [g('BUSINESS', biz(globex))], count: 3 }]);
    expect(sorted(reports.byAssignee.groups)).toEqual(
      sorted([
        { group: [g('ASSIGNEE', user(alice))], count: 2 }, // T3, T6
        { group: [g('ASSIGNEE', user(bob))], count: 1 }, // T5
      ]),
    );
    const { ticketVolume } = (await query(ReportsSeriesDocument, { range: R, filter: globexOnly(), interval: 'DAY' as ReportInterval })).reports;
    // Wed T3 · Thu T6 · Fri T5
    expect(ticketVolume.series!.map((p) => p.created)).toEqual([0, 0, 1, 1, 1]);
    // Mon T0 · Thu T6
    expect(ticketVolume.series!.map((p) => p.resolved)).toEqual([1, 0, 0, 1, 0]);
    // Open at the end of each day: Mon none (T0 resolved) · Tue none · Wed T3 · Thu T3 (T6 resolved) · Fri T3, T5
    expect(ticketVolume.series!.map((p) => p.backlog)).toEqual([0, 0, 1, 1, 2]);
  });

  it('narrows resolutionTimes, slaCompliance and satisfaction', async () => {
    const { reports } = await query(ReportsOutcomesDocument, { range: R, filter: globexOnly() });
    expect(rounded(reports.resolutionTimes)).toEqual([
      {
        group: [],
        // Resolved in the period: T0 17 h, T6 3.5 h.
        resolution: { count: 2, meanHours: 10.25, medianHours: 10.25, p90Hours: 15.65 }, // (17 + 3.5) / 2; 3.5 + 0.9 × 13.5
        resolutionBusiness: { count: 2, meanHours: 4.25, medianHours: 4.25, p90Hours: 4.85 }, // (5 + 3.5) / 2; 3.5 + 0.9 × 1.5
        // First answered: T3 18.5 h, T6 0.75 h, T5 0.5 h.
        firstResponse: {
          count: 3,
          meanHours: 6.583333, // 19.75 / 3
          medianHours: 0.75, // sorted 0.5, 0.75, 18.5
          p90Hours: 14.95, // 0.75 + 0.8 × (18.5 − 0.75)
        },
        // Business: T3 2.5 h, T6 0.75 h, T5 0.5 h.
        firstResponseBusiness: {
          count: 3,
          meanHours: 1.25, // 3.75 / 3
          medianHours: 0.75,
          p90Hours: 2.15, // 0.75 + 0.8 × (2.5 − 0.75)
        },
      },
    ]);
    expect(rounded(reports.slaCompliance)).toEqual([
      {
        group: [],
        tickets: 3, // T3, T5, T6
        firstResponse: { met: 2, breached: 1, pending: 0, rate: 0.666667 }, // T5, T6 met; T3 breached: 2 / 3
        resolution: { met: 1, breached: 1, pending: 1, rate: 0.5 }, // T6 met; T3 breached; T5 pending: 1 / 2
      },
    ]);
    // T0 (5), T6 (4).
    expect(rounded(reports.satisfaction)).toEqual([{ group: [], resolved: 2, rated: 2, responseRate: 1, meanScore: 4.5, distribution: [0, 0, 0, 1, 1] }]);
  });

  it('narrows agentPerformance and recurringIssues', async () => {
    const agents = (await query(ReportsAgentsDocument, { range: R, filter: globexOnly() })).reports.agentPerformance;
    expect(rounded(agents)).toEqual([
      {
        agent: { id: bob.user.globalId, name: 'Bob Agent' },
        assigned: 1, // T5
        resolved: 1, // T0
        reopened: 0,
        medianResolutionHours: 17,
        medianResolutionBusinessHours: 5,
        medianFirstResponseHours: 0.5, // T5
        slaComplianceRate: 1, // T0 met
        meanSatisfaction: 5, // T0
        openTickets: 1, // T5
      },
      {
        agent: { id: alice.user.globalId, name: 'Alice Agent' },
        assigned: 2, // T3, T6
        resolved: 1, // T6
        reopened: 0,
        medianResolutionHours: 3.5,
        medianResolutionBusinessHours: 3.5,
        medianFirstResponseHours: 9.625, // T6 0.75, T3 18.5: (0.75 + 18.5) / 2
        slaComplianceRate: 1, // T6 met
        meanSatisfaction: 4, // T6
        openTickets: 0,
      },
      idleAdmin(),
    ]);

    const recurring = (await query(ReportsRecurringDocument, { range: R, filter: globexOnly(), minOccurrences: 2 })).reports.recurringIssues;
    // T3 network, T5 hardware, T6 printer + billing: no tag twice; one title each.
    expect(recurring.tags).toEqual([]);
    expect(recurring.businesses.map((x) => [x.label, x.count])).toEqual([['Globex', 3]]);
    expect(recurring.titleClusters).toEqual([]);
  });
});

describe('access and input', () => {
  it('is refused to customers and anonymous callers', async () => {
    const byCustomer = await app.gql(ReportsTotalDocument, { range: R }, carol.token);
    expect(byCustomer.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(byCustomer.data ?? null).toBeNull();
    const anonymous = await app.gql(ReportsTotalDocument, { range: R });
    expect(anonymous.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });

  it('is open to agents and to API keys with REPORTS_READ only', async () => {
    expect((await query(ReportsTotalDocument, { range: R }, alice.token)).reports.ticketVolume.total).toBe(6);
    expect((await query(ReportsTotalDocument, { range: R }, reportsKey)).reports.ticketVolume.total).toBe(6);
    // The examples are tickets, shown only to whoever may read them: a REPORTS_READ key sees the figures, not the tickets.
    const recurring = (await query(ReportsRecurringDocument, { range: R, minOccurrences: 2 }, reportsKey)).reports.recurringIssues;
    expect(recurring.tags.map((x) => [x.label, x.count, x.examples.length])).toEqual([
      ['printer', 3, 0],
      ['hardware', 2, 0],
    ]);
    const withoutScope = await app.gql(ReportsTotalDocument, { range: R }, ticketsOnlyKey);
    expect(withoutScope.errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it('answers BAD_USER_INPUT for an empty or reversed period, an unknown time zone, a span over 10 years and minOccurrences below 2', async () => {
    const bad = async (variables: { range: ReportRangeInput }, field: string) => {
      const res = await app.gql(ReportsTotalDocument, variables, admin.token);
      expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    };
    await bad({ range: { from: R.from, to: R.from } }, 'range.to');
    await bad({ range: { from: R.to, to: R.from } }, 'range.to');
    await bad({ range: { ...R, timeZone: 'Mars/Olympus' } }, 'range.timeZone');
    await bad({ range: { from: '2010-01-01T00:00:00.000Z', to: '2026-01-01T00:00:00.000Z' } }, 'range.to');
    for (const minOccurrences of [1, 0, -3]) {
      const res = await app.gql(ReportsRecurringDocument, { range: R, minOccurrences }, admin.token);
      expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'minOccurrences' });
    }
  });
});

describe('the roll-ups and their consumer', () => {
  /** Every report of the suite over a few periods and filters, in one object. */
  async function everyReport() {
    const figures: unknown[] = [];
    // Partial months only, whole months (read from the roll-up), and both, in UTC and in Berlin.
    const ranges = [R_BERLIN, { from: '2026-03-01T00:00:00.000Z', to: '2026-05-01T00:00:00.000Z' }, { from: '2026-01-01T00:00:00.000Z', to: '2026-04-08T12:00:00.000Z' }];
    for (const range of ranges) {
      for (const filter of [undefined, { businessId: globex.globalId }, { assigneeId: alice.user.globalId }]) {
        figures.push(
          await query(ReportsVolumeDocument, { range, filter }),
          await query(ReportsSeriesDocument, { range, filter, interval: 'MONTH' as ReportInterval }),
          await query(ReportsSeriesDocument, { range, filter, interval: 'DAY' as ReportInterval }),
          await query(ReportsOutcomesDocument, { range, filter }),
          await query(ReportsAgentsDocument, { range, filter }),
          await query(ReportsDurationsDocument, { range, filter }),
          await query(ReportsRecurringDocument, { range, filter, minOccurrences: 2 }),
          await query(ReportsScopeVolumeDocument, { range, filter: filter ?? {} }),
        );
      }
    }
    return rounded(figures);
  }

  it('gives the same figures with the consumer at 0, partway and caught up, and then keeps exactly what the tickets give', async () => {
    // The fixture leaves the consumer partway: it counted the tickets up to T3, the reports count the rest.
    const partway = await everyReport();
    await resetRollUps(app);
    expect(await everyReport()).toEqual(partway);
    const [{ n }] = await app.em().getConnection().execute<{ n: string }[]>('select count(*) as n from ticket_event');
    for (const step of [7, Math.floor(Number(n) / 2)]) {
      await countRollUps(app, step);
      expect(await everyReport()).toEqual(partway);
    }
    await countRollUps(app);
    const [{ pending }] = await app.em().getConnection().execute<{ pending: string }[]>(
      `select count(*) as pending from ticket_event where position > (select position from feed_checkpoint where consumer = 'roll-ups')`,
    );
    expect(Number(pending)).toBe(0);
    expect(await everyReport()).toEqual(partway);
    expect(await checkRollUps(app.em())).toEqual({ tickets: [], rows: [] });
  });
});

// Last in the file: it moves the fixture clock to May.
describe('the roll-ups behind series (all tickets by the hour, one business or agent by the day)', () => {
  const volume = async (range: ReportRangeInput, interval: `${ReportInterval}`, filter?: TicketFilter) => {
    const { ticketVolume, byTag } = (await query(ReportsSeriesDocument, { range, filter, interval: interval as ReportInterval })).reports;
    // Under TAG a ticket counts once per tag, and its total is the series' count of tickets.
    expect(byTag.total).toBe(ticketVolume.total);
    const tags = byTag.groups.map((g) => [g.group[0].key, g.count]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    return { ...ticketVolume, tags };
  };

  beforeAll(() => jest.useFakeTimers(ONLY_DATE));
  afterAll(() => jest.useRealTimers());

  it('counts as the rows do, in any time zone and period, also where a day starts inside an hour', async () => {
    // Around midnight of 5 May in Kathmandu (18:15 UTC), Kolkata (18:30 UTC) and St. John's (02:30 UTC): created,
    // resolved and reopened inside the hours those days start in, which the roll-up must leave to the rows.
    const k1 = await create('2026-05-04T18:05:00.000Z', { title: 'K1', businessId: acme.globalId, tags: ['printer'] });
    const k2 = await create('2026-05-04T18:12:00.000Z', { title: 'K2', businessId: acme.globalId });
    await move('2026-05-04T18:21:00.000Z', k1, 'IN_PROGRESS', admin);
    await resolve('2026-05-04T18:22:00.000Z', k1, admin);
    await create('2026-05-04T18:35:00.000Z', { title: 'K3', businessId: acme.globalId });
    await move('2026-05-04T18:40:00.000Z', k1, 'IN_PROGRESS', admin, 'Not fixed after all');
    await move('2026-05-04T18:46:00.000Z', k2, 'IN_PROGRESS', admin);
    await resolve('2026-05-04T18:50:00.000Z', k2, admin);
    await create('2026-05-05T02:20:00.000Z', { title: 'K4', businessId: acme.globalId, tags: ['printer', 'network'] });
    await create('2026-05-05T02:40:00.000Z', { title: 'K5', businessId: acme.globalId });

    // A filter that keeps every ticket but makes the series read the tickets' rows instead of report_hour; with a
    // business or an agent, instead of report_scope_day.
    const everyPriority = { priority: ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as never };
    const scopes: (TicketFilter | undefined)[] = [undefined, { businessId: acme.globalId }, { businessId: globex.globalId }, { assigneeId: bob.user.globalId }];
    const periods: [string, string][] = [
      ['2026-05-01T00:00:00.000Z', '2026-05-08T00:00:00.000Z'],
      ['2026-05-03T22:17:00.000Z', '2026-05-05T10:45:30.000Z'], // edges inside hours
      ['2026-05-04T18:07:00.000Z', '2026-05-04T18:55:00.000Z'], // within one hour
      ['2026-03-06T00:00:00.000Z', '2026-05-08T00:00:00.000Z'], // the March and April tickets too
    ];
    let compared = 0;
    for (const [from, to] of periods) {
      for (const timeZone of ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns']) {
        for (const interval of ['DAY', 'WEEK'] as const) {
          for (const scope of scopes) {
            const range = { from, to, timeZone };
            const rolledUp = await volume(range, interval, scope);
            expect({ range, interval, scope, ...rolledUp }).toEqual({ range, interval, scope, ...(await volume(range, interval, { ...scope, ...everyPriority })) });
            compared += rolledUp.series!.length;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(800);

    // Hand-counted, Kolkata days: 4 May holds K1, K2 (created 23:35 and 23:42 IST) and K1 (resolved 23:52 IST); 5 May
    // holds K3 (00:05 IST), K4, K5 and K2 (resolved 00:20 IST). The backlog grows by 3 from the end of 4 May to the end
    // of 5 May: K1 reopened (00:10 IST), K3, K4 and K5 open, K2 resolved.
    const kolkata = await volume({ from: '2026-05-04T00:00:00.000Z', to: '2026-05-06T00:00:00.000Z', timeZone: 'Asia/Kolkata' }, 'DAY');
    const [first] = kolkata.series!;
    expect(kolkata.series!.map((p) => [p.start, p.created, p.resolved, p.backlog - first.backlog])).toEqual([
      ['2026-05-03T18:30:00.000Z', 2, 1, 0],
      ['2026-05-04T18:30:00.000Z', 3, 1, 3],
      ['2026-05-05T18:30:00.000Z', 0, 0, 3],
    ]);
  });

  it('gives the percentiles, agent figures and recurring titles the rows give, from the monthly and daily roll-ups', async () => {
    // Tickets resolved and answered on both sides of the May/June and June/July boundaries; one reopened in July (its
    // resolution moves to July), one raised to URGENT and one handed to Bob after resolution (each moves between scopes),
    // several with the same duration (ties in one bucket).
    const durations: [string, string, string, string, string][] = [
      ['2026-05-20T08:00:00.000Z', '2026-05-20T08:30:00.000Z', '2026-05-21T09:00:00.000Z', 'EMAIL', 'LOW'],
      ['2026-05-25T10:00:00.000Z', '2026-05-25T10:30:00.000Z', '2026-05-25T12:00:00.000Z', 'PHONE', 'HIGH'],
      ['2026-05-30T22:00:00.000Z', '2026-05-31T23:30:00.000Z', '2026-06-01T01:00:00.000Z', 'EMAIL', 'MEDIUM'],
      ['2026-05-31T20:00:00.000Z', '2026-05-31T20:30:00.000Z', '2026-06-02T20:00:00.000Z', 'WEB_FORM', 'MEDIUM'],
      ['2026-06-10T09:00:00.000Z', '2026-06-10T09:30:00.000Z', '2026-06-12T09:00:00.000Z', 'WEB_FORM', 'MEDIUM'],
      ['2026-06-15T09:00:00.000Z', '2026-06-15T10:00:00.000Z', '2026-06-30T23:00:00.000Z', 'EMAIL', 'HIGH'],
      ['2026-06-29T09:00:00.000Z', '2026-06-29T09:30:00.000Z', '2026-07-02T09:00:00.000Z', 'PHONE', 'LOW'],
    ];
    // Each ticket's steps, all in the order of their instants.
    const ids: string[] = [];
    const steps = durations.flatMap(([createdAt, repliedAt, resolvedAt, channel, priority], i): [string, () => Promise<unknown>][] => [
      [
        createdAt,
        async () => {
          const input = { title: `D${i}`, businessId: globex.globalId, contactId: gina.contact.globalId, assigneeId: alice.user.globalId };
          ids[i] = await create(createdAt, { ...input, channel: channel as never, priority: priority as never });
        },
      ],
      [new Date(new Date(createdAt).getTime() + 5 * 60_000).toISOString(), () => move(new Date(new Date(createdAt).getTime() + 5 * 60_000).toISOString(), ids[i], 'IN_PROGRESS', alice)],
      [repliedAt, () => reply(repliedAt, ids[i], alice.token)],
      [resolvedAt, () => resolve(resolvedAt, ids[i], alice)],
    ]);
    for (const [, step] of steps.sort(([a], [b]) => a.localeCompare(b))) await step();
    await rate('2026-07-03T08:00:00.000Z', ids[0], 4, gina);
    await rate('2026-07-03T08:10:00.000Z', ids[4], 2, gina);
    await at('2026-07-04T08:00:00.000Z', ReopenTicketDocument, { input: { ticketId: ids[2], reason: 'Back again' } }, gina.token);
    await resolve('2026-07-06T10:00:00.000Z', ids[2], alice);
    await at('2026-07-07T08:00:00.000Z', UpdateTicketDocument, { input: { ticketId: ids[3], priority: 'URGENT' as never } }, admin.token);
    await at('2026-07-07T09:00:00.000Z', AssignTicketDocument, { input: { ticketId: ids[5], assigneeId: bob.user.globalId } }, admin.token);

    const figures = async (range: ReportRangeInput, filter?: TicketFilter) => {
      const { reports } = await query(ReportsDurationsDocument, { range, filter });
      return {
        ...reports,
        byPriority: sorted(reports.byPriority),
        byChannel: sorted(reports.byChannel),
        byAssignee: sorted(reports.byAssignee),
        agentPerformance: [...reports.agentPerformance].sort((a, b) => a.agent.id.localeCompare(b.agent.id)),
      };
    };
    const everyPriority = { priority: ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as never };
    const periods: [string, string][] = [
      ['2026-03-01T00:00:00.000Z', '2026-08-01T00:00:00.000Z'], // whole months only
      ['2026-02-20T05:00:00.000Z', '2026-07-05T12:00:00.000Z'], // and partial months at both edges
      ['2026-05-31T21:00:00.000Z', '2026-07-01T00:00:00.000Z'], // June, and the last hours of May
      ['2026-06-01T00:00:00.000Z', '2026-06-30T23:30:00.000Z'], // no whole month: the rows answer
      ['2026-07-04T07:00:00.000Z', '2026-07-07T10:00:00.000Z'], // the reopen and the hand-over inside the edge days
      ['2026-03-06T15:00:00.000Z', '2026-05-04T18:30:00.000Z'], // the March printer jams and K1, K2 inside the edge months
      ['2025-12-10T00:00:00.000Z', '2026-11-15T00:00:00.000Z'], // nothing before it in December or after it in November: both months whole
    ];
    let groups = 0;
    let ratings = 0;
    let histograms = 0;
    let clusters = 0;
    let scopeGroups = 0;
    let scopeTags = 0;
    let assignments = 0;
    for (const [from, to] of periods) {
      for (const scope of [undefined, { assigneeId: alice.user.globalId }, { assigneeId: bob.user.globalId }]) {
        const range = { from, to };
        // Where the roll-up keeps a histogram, every bucket read agrees with it (durationSummaries would give null, and the rows answer).
        for (const dimensions of [[], [Dimension.PRIORITY], [Dimension.CHANNEL], [Dimension.ASSIGNEE]]) {
          for (const measure of [RESOLUTION, FIRST_RESPONSE]) {
            const window = reportWindow({ from: new Date(from), to: new Date(to) }, scope);
            const summaries = await app.em().fork().transactional((em) => durationSummaries(em, window, dimensions, [measure], [0.5, 0.9]));
            const kept = targetOf(window, dimensions, [measure.measure]) !== null;
            expect({ dimensions, measure, from, answered: summaries !== null }).toEqual({ dimensions, measure, from, answered: kept });
            histograms += kept ? 1 : 0;
          }
        }
        const rolledUp = await figures(range, scope);
        // Means divide in floating point on one side and in numeric on the other: compared to 6 decimals.
        expect(rounded({ range, scope, ...rolledUp })).toEqual(rounded({ range, scope, ...(await figures(range, { ...scope, ...everyPriority })) }));
        groups += rolledUp.byPriority.length + rolledUp.byChannel.length + rolledUp.byAssignee.length;
        ratings += rolledUp.satisfactionByChannel.reduce((sum, row) => sum + row.rated, 0);
      }
      // Recurring titles of all tickets come from report_title_month and the edge months' rows; recurring tags of one
      // business's or agent's from report_scope_tag_month.
      const recurring = async (filter?: TicketFilter) => (await query(ReportsRecurringDocument, { range: { from, to }, filter, minOccurrences: 2 })).reports.recurringIssues;
      const rolledUpTitles = await recurring();
      expect({ from, ...rolledUpTitles }).toEqual({ from, ...(await recurring(everyPriority)) });
      clusters += rolledUpTitles.titleClusters.length;
      // All tickets', one business's or one agent's volume and SLA compliance from report_scope_month and
      // report_scope_tag_month, their open tickets, and one business's assignments per agent.
      for (const scope of [undefined, { businessId: globex.globalId }, { businessId: acme.globalId }, { assigneeId: alice.user.globalId }, { assigneeId: bob.user.globalId }]) {
        const range = { from, to };
        const inOrder = (rows: readonly unknown[]) => [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
        const scopeCounts = async (filter: TicketFilter) => {
          const { reports } = await query(ReportsScopeVolumeDocument, { range, filter });
          return Object.fromEntries(Object.entries(reports).map(([name, report]) => [name, Array.isArray(report) ? inOrder(report) : { ...report, groups: inOrder(report.groups) }]));
        };
        const rolledUp = await scopeCounts(scope ?? {});
        expect({ range, scope, ...rolledUp }).toEqual({ range, scope, ...(await scopeCounts({ ...scope, ...everyPriority })) });
        expect({ range, scope, ...(await recurring(scope)) }).toEqual({ range, scope, ...(await recurring({ ...scope, ...everyPriority })) });
        scopeGroups += Object.values(rolledUp).reduce((sum, report) => sum + (Array.isArray(report) ? report.length : report.groups.length), 0);
        if (scope && 'businessId' in scope) assignments += (rolledUp.agents as { assigned: number }[]).reduce((sum, agent) => sum + agent.assigned, 0);
        scopeTags += (await recurring(scope)).tags.length;
      }
    }
    expect(histograms).toBeGreaterThan(40);
    expect(clusters).toBeGreaterThan(4);
    expect(groups).toBeGreaterThan(40);
    expect(ratings).toBeGreaterThan(4);
    expect(scopeGroups).toBeGreaterThan(400);
    expect(scopeTags).toBeGreaterThan(2);
    expect(assignments).toBeGreaterThan(20);
    expect(await checkRollUps(app.em())).toEqual({ tickets: [], rows: [] });

    // By hand, June (whole month) and the last 3 hours of May: resolved in it D2 (Jun 1 01:00, 27 h; reopened and resolved
    // again in July, so not any more), D3 (48 h), D4 (48 h), D5 (374 h): sorted 48, 48, 374: median 48, p90 48 + 0.8 × 326.
    const june = await figures({ from: '2026-05-31T21:00:00.000Z', to: '2026-07-01T00:00:00.000Z' });
    expect(rounded(june.resolutionTimes[0].resolution)).toEqual({ count: 3, meanHours: rounded(470 / 3), medianHours: 48, p90Hours: 308.8 });
  });

  // Last in the file: it adds 2,600 tickets.
  it('finds the most frequent titles of all tickets, of one business and of one agent among the titles of the largest totals, as the rows give them', async () => {
    const connection = app.em().getConnection();
    const generated = (await connection.execute<{ attname: string }[]>(`select attname from pg_attribute where attrelid = 'ticket'::regclass and attnum > 0 and attgenerated <> ''`)).map(
      (row) => row.attname,
    );
    const columns = (await connection.execute<{ attname: string }[]>(`select attname from pg_attribute where attrelid = 'ticket'::regclass and attnum > 0 and not attisdropped`))
      .map((row) => row.attname)
      .filter((column) => !generated.includes(column));
    // Copies of one ticket under new titles, straight into the table (a bulk import: no timeline entries, so the roll-ups
    // count them by a rebuild), not yet answered or resolved.
    const changed: Record<string, string> = { id: 'gen_random_uuid()', title: 'b.title', created_at: 'b.at', updated_at: 'b.at', resolved_at: 'null', first_responded_at: 'null',
      // (and without the unique ones)
      number: `nextval('ticket_number_seq')`, reference: 'null', dedup_key: 'null', satisfaction_token: 'null' };
    // All copies of one ticket with a business and an assignee: the largest totals of that business and agent too.
    const original = 'select * from ticket where business_id is not null and assignee_id is not null order by created_at limit 1';
    const [{ business_id: businessId, assignee_id: assigneeId }] = await connection.execute<{ business_id: string; assignee_id: string }[]>(original);
    const copies = async (titles: string, at: string) =>
      connection.execute(
        `insert into ticket (${columns.join(', ')})
         select ${columns.map((column) => changed[column] ?? `t.${column}`).join(', ')}
           from (${titles}) as b(title, at) cross join (${original}) as t`,
        [at],
      );
    // June: 300 titles of 5 tickets and 700 of one; 10 titles with 8 tickets in January and one in June (large totals, rare in
    // June); July: 700 titles of one ticket each (all tie: every title must be summed).
    await copies(`select 'Bulk order ' || i || ' stuck', ?::timestamptz + (j || ' minutes')::interval from generate_series(1, 300) i, generate_series(1, 5) j`, '2026-06-10T00:00:00Z');
    await copies(`select 'Single case ' || i, ?::timestamptz + (i || ' minutes')::interval from generate_series(1, 700) i`, '2026-06-11T00:00:00Z');
    await copies(`select 'Old report ' || i, ?::timestamptz + (j || ' days')::interval from generate_series(1, 10) i, generate_series(0, 8) j`, '2026-01-03T00:00:00Z');
    await connection.execute(`update ticket set created_at = '2026-06-12T00:00:00Z' where title like 'Old report %' and created_at = '2026-01-11T00:00:00Z'`);
    await copies(`select 'July one-off ' || i, ?::timestamptz + (i || ' minutes')::interval from generate_series(1, 700) i`, '2026-07-10T00:00:00Z');
    expect((await checkRollUps(app.em())).tickets.length).toBeGreaterThan(0);
    await rebuildRollUps(app.em());
    expect(await checkRollUps(app.em())).toEqual({ tickets: [], rows: [] });

    const everyPriority = { priority: ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as never };
    const recurring = async (range: ReportRangeInput, filter?: TicketFilter) =>
      (await query(ReportsRecurringDocument, { range, filter, minOccurrences: 2 })).reports.recurringIssues.titleClusters;
    for (const range of [
      { from: '2026-05-15T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' }, // June: the top 300 among the 600 largest totals
      { from: '2026-07-01T00:00:00.000Z', to: '2026-08-01T00:00:00.000Z' }, // July: ties, the second attempt takes every title
      { from: '2026-01-01T00:00:00.000Z', to: '2026-07-20T00:00:00.000Z' },
    ]) {
      for (const scope of [undefined, { businessId: toGlobalId('Business', businessId) }, { assigneeId: toGlobalId('User', assigneeId) }]) {
        const rolledUp = await recurring(range, scope);
        expect({ range, scope, rolledUp }).toEqual({ range, scope, rolledUp: await recurring(range, { ...scope, ...everyPriority }) });
        expect(rolledUp.length).toBeGreaterThan(0);
      }
    }
  });
});
