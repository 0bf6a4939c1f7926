import {
  AddCommentDocument,
  ChangeTicketStatusDocument,
  CreateTicketDocument,
  SetTicketDueDateDocument,
  SlaPoliciesDocument,
  TicketSlaDocument,
  TicketsDocument,
  UpdateBusinessHoursDocument,
  UpdateSlaPolicyDocument,
  UpdateTicketDocument,
} from '../__generated__/graphql';
import { recordDueBreaches } from '../../src/modules/sla/breach.job';
import { TicketEvent } from '../../src/modules/tickets/ticket-event.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import { planOf, statementsSent } from '../setup/query-plans';

let app: TestApp;
let admin: make.Staff;
let agent: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let carol: make.Customer;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

beforeAll(async () => {
  app = await startTestApp({ JOB_INTERVAL_SECONDS: '0' });
  admin = await make.staffUser(app, Role.ADMIN);
  agent = await make.staffUser(app);
  acme = await make.business(app);
  carol = await make.customer(app, acme);
  // Every priority on a 24/7 clock, so expected due dates are plain arithmetic in these tests.
  for (const priority of ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const) {
    await app.gql(UpdateSlaPolicyDocument, { input: { priority: priority as never, businessHours: false } }, admin.token);
  }
});
afterAll(() => app.stop());

async function createTicket(priority = 'URGENT', extra: Record<string, unknown> = {}) {
  const res = await app.gql(
    CreateTicketDocument,
    { input: { title: 'Site down', description: 'All requests fail', businessId: acme.globalId, priority: priority as never, ...extra } },
    agent.token,
  );
  expect(res.errors).toBeUndefined();
  return res.data!.createTicket.ticket;
}

const sla = async (id: string, token = agent.token) => (await app.gql(TicketSlaDocument, { id }, token)).data!.ticket!;
const row = (globalId: string) => app.em().findOneOrFail(Ticket, { id: Buffer.from(globalId, 'base64url').toString().split(':')[1] });
const move = (id: string, status: TicketStatus, reason?: string) =>
  app.gql(ChangeTicketStatusDocument, { input: { ticketId: id, status: status as never, reason } }, agent.token);

/** Moves a ticket's clocks into the past by rewriting its timestamps, as if it were created `hours` ago. */
async function age(globalId: string, hours: number, extra: Partial<Record<'slaPausedSince' | 'resolvedAt', Date>> = {}) {
  const ticket = await row(globalId);
  const shift = (date: Date | null) => (date ? new Date(date.getTime() - hours * HOUR) : null);
  await app.em().nativeUpdate(Ticket, { id: ticket.id }, {
    createdAt: shift(ticket.createdAt)!,
    dueAt: shift(ticket.dueAt),
    firstResponseDueAt: shift(ticket.firstResponseDueAt),
    ...extra,
  });
}

describe('SLA policies and business hours', () => {
  it('has one policy per priority, readable by staff and changeable by admins only', async () => {
    const res = await app.gql(SlaPoliciesDocument, {}, agent.token);
    expect(res.data!.slaPolicies.map((p) => [p.priority, p.firstResponseMinutes, p.resolutionMinutes])).toEqual([
      ['URGENT', 60, 240],
      ['HIGH', 240, 480],
      ['MEDIUM', 480, 1440],
      ['LOW', 1440, 2400],
    ]);
    expect(res.data!.businessHours).toEqual({ timeZone: 'UTC', workingDays: [1, 2, 3, 4, 5], opensAt: '09:00', closesAt: '17:00', alwaysOpen: false });

    const byAgent = await app.gql(UpdateSlaPolicyDocument, { input: { priority: 'LOW' as never, resolutionMinutes: 10 } }, agent.token);
    expect(byAgent.errors![0].extensions!.code).toBe('FORBIDDEN');
    const byCustomer = await app.gql(SlaPoliciesDocument, {}, carol.token);
    expect(byCustomer.errors![0].extensions!.code).toBe('FORBIDDEN');
    const zero = await app.gql(UpdateSlaPolicyDocument, { input: { priority: 'LOW' as never, firstResponseMinutes: 0 } }, admin.token);
    expect(zero.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'firstResponseMinutes' });
    const after = await app.gql(SlaPoliciesDocument, {}, agent.token);
    expect(after.data!.slaPolicies.find((p) => p.priority === 'LOW')!.resolutionMinutes).toBe(2400);
  });

  it('validates business hours and keeps the old ones on a refusal', async () => {
    const badZone = await app.gql(UpdateBusinessHoursDocument, { input: { timeZone: 'Mars/Olympus' } }, admin.token);
    expect(badZone.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'timeZone' });
    const backwards = await app.gql(UpdateBusinessHoursDocument, { input: { opensAt: '18:00', closesAt: '08:00' } }, admin.token);
    expect(backwards.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    const ok = await app.gql(UpdateBusinessHoursDocument, { input: { timeZone: 'Europe/Berlin', workingDays: [5, 1, 2, 3, 4, 1] } }, admin.token);
    expect(ok.data!.updateBusinessHours).toMatchObject({ timeZone: 'Europe/Berlin', workingDays: [1, 2, 3, 4, 5] });
    await app.gql(UpdateBusinessHoursDocument, { input: { timeZone: 'UTC' } }, admin.token);
  });
});

describe('due dates', () => {
  it('come from the policy at creation and follow priority changes, unless set by hand', async () => {
    const ticket = await createTicket('URGENT');
    const created = Date.parse(ticket.createdAt);
    const clocks = await sla(ticket.id);
    expect(Date.parse(clocks.dueAt!)).toBe(created + 240 * MINUTE);
    expect(Date.parse(clocks.sla.firstResponseDueAt!)).toBe(created + 60 * MINUTE);

    const lowered = await app.gql(UpdateTicketDocument, { input: { ticketId: ticket.id, priority: 'LOW' as never } }, agent.token);
    expect(Date.parse(lowered.data!.updateTicket.ticket.dueAt!)).toBe(created + 2400 * MINUTE);

    const byHand = new Date(created + 30 * HOUR).toISOString();
    await app.gql(SetTicketDueDateDocument, { input: { ticketId: ticket.id, dueAt: byHand, justification: 'Agreed with the customer' } }, agent.token);
    const raised = await app.gql(UpdateTicketDocument, { input: { ticketId: ticket.id, priority: 'HIGH' as never } }, agent.token);
    expect(raised.data!.updateTicket.ticket.dueAt).toBe(byHand);
  });

  it('are counted in business hours when the policy says so', async () => {
    await app.gql(UpdateSlaPolicyDocument, { input: { priority: 'HIGH' as never, businessHours: true } }, admin.token);
    await app.gql(UpdateBusinessHoursDocument, { input: { alwaysOpen: false, workingDays: [1, 2, 3, 4, 5], opensAt: '09:00', closesAt: '17:00' } }, admin.token);
    try {
      const ticket = await createTicket('HIGH');
      const due = new Date((await sla(ticket.id)).dueAt!);
      // 480 business minutes end inside business hours, on a weekday.
      expect(due.getUTCDay()).toBeGreaterThanOrEqual(1);
      expect(due.getUTCDay()).toBeLessThanOrEqual(5);
      expect(due.getUTCHours() * 60 + due.getUTCMinutes()).toBeGreaterThanOrEqual(9 * 60);
      expect(due.getUTCHours() * 60 + due.getUTCMinutes()).toBeLessThanOrEqual(17 * 60);
      expect(due.getTime() - Date.parse(ticket.createdAt)).toBeGreaterThanOrEqual(8 * HOUR);
    } finally {
      await app.gql(UpdateSlaPolicyDocument, { input: { priority: 'HIGH' as never, businessHours: false } }, admin.token);
    }
  });
});

describe('clocks pause while waiting on the customer', () => {
  it('stop while WAITING_ON_CUSTOMER and move the due date by the paused time', async () => {
    const ticket = await createTicket('URGENT');
    await move(ticket.id, TicketStatus.IN_PROGRESS);
    await move(ticket.id, TicketStatus.WAITING_ON_CUSTOMER, 'Need a screenshot');
    const before = await row(ticket.id);
    expect(before.slaPausedSince).not.toBeNull();
    // The customer takes 3 hours to answer.
    await app.em().nativeUpdate(Ticket, { id: before.id }, { slaPausedSince: new Date(before.slaPausedSince!.getTime() - 3 * HOUR) });

    const paused = await sla(ticket.id);
    expect(paused.isOverdue).toBe(false);
    expect(paused.sla.pausedSince).not.toBeNull();
    expect(paused.sla.pausedSeconds).toBeGreaterThanOrEqual(3 * 3600);
    expect(paused.sla.remainingSeconds).toBeGreaterThan(3 * 3600);

    await move(ticket.id, TicketStatus.IN_PROGRESS);
    const resumed = await sla(ticket.id);
    expect(resumed.sla.pausedSince).toBeNull();
    expect(resumed.sla.pausedSeconds).toBeGreaterThanOrEqual(3 * 3600);
    expect(resumed.sla.pausedSeconds).toBeLessThan(3 * 3600 + 60);
    const shift = Date.parse(resumed.dueAt!) - before.dueAt!.getTime();
    expect(shift).toBeGreaterThanOrEqual(3 * HOUR);
    expect(shift).toBeLessThan(3 * HOUR + MINUTE);
  });

  it('keep running while WAITING_ON_THIRD_PARTY, unless the policy pauses there too', async () => {
    const ticket = await createTicket('URGENT');
    await move(ticket.id, TicketStatus.IN_PROGRESS);
    await move(ticket.id, TicketStatus.WAITING_ON_THIRD_PARTY, 'Vendor');
    expect((await row(ticket.id)).slaPausedSince).toBeNull();
    await move(ticket.id, TicketStatus.IN_PROGRESS);

    await app.gql(UpdateSlaPolicyDocument, { input: { priority: 'URGENT' as never, pauseOnThirdParty: true } }, admin.token);
    try {
      await move(ticket.id, TicketStatus.WAITING_ON_THIRD_PARTY, 'Vendor again');
      expect((await row(ticket.id)).slaPausedSince).not.toBeNull();
    } finally {
      await app.gql(UpdateSlaPolicyDocument, { input: { priority: 'URGENT' as never, pauseOnThirdParty: false } }, admin.token);
    }
  });

  it('keep a paused ticket out of the overdue filter, which reads the partial index', async () => {
    const running = await createTicket('URGENT');
    const waiting = await createTicket('URGENT');
    await move(waiting.id, TicketStatus.IN_PROGRESS);
    await move(waiting.id, TicketStatus.WAITING_ON_CUSTOMER, 'Which version?');
    await age(running.id, 10);
    await age(waiting.id, 10);

    const overdue = await app.gql(TicketsDocument, { filter: { overdue: true, businessId: acme.globalId }, first: 100 }, agent.token);
    const ids = overdue.data!.tickets.nodes.map((n) => n.id);
    expect(ids).toContain(running.id);
    expect(ids).not.toContain(waiting.id);

    // The SQL the server ran for that filter can be answered from ticket_overdue_idx.
    const statements = await statementsSent(app, () => app.gql(TicketsDocument, { filter: { overdue: true }, first: 10 }, agent.token));
    const list = statements.find((s) => s.sql.includes('from "ticket" as "t"') && s.sql.includes('limit'))!;
    expect(await planOf(app, list)).toContain('ticket_overdue_idx');
  });
});

describe('first response and breaches', () => {
  it('counts the first external staff reply as the first response', async () => {
    const ticket = await createTicket('URGENT');
    await app.gql(AddCommentDocument, { input: { ticketId: ticket.id, body: 'note', isInternal: true } }, agent.token);
    await app.gql(AddCommentDocument, { input: { ticketId: ticket.id, body: 'hello?' } }, carol.token);
    expect((await sla(ticket.id)).sla.firstRespondedAt).toBeNull();
    const reply = await app.gql(AddCommentDocument, { input: { ticketId: ticket.id, body: 'On it' } }, agent.token);
    expect((await sla(ticket.id)).sla.firstRespondedAt).toBe(reply.data!.addComment.comment.createdAt);
  });

  it('records each breach once, with no actor, from the job and from a late first reply', async () => {
    const ticket = await createTicket('URGENT');
    await age(ticket.id, 2); // first response (1 h) missed, resolution (4 h) not yet
    const id = (await row(ticket.id)).id;
    expect(await recordDueBreaches(app.em() as never)).toBeGreaterThanOrEqual(1);
    expect(await recordDueBreaches(app.em() as never)).toBe(0);
    const breaches = () => app.em().find(TicketEvent, { ticket: id, type: 'SLA_BREACHED' as never }, { orderBy: { id: 'asc' } });
    expect((await breaches()).map((e) => [e.details.clock, e.actor])).toEqual([['FIRST_RESPONSE', null]]);
    expect((await sla(ticket.id)).sla.breached).toBe(true);

    await age(ticket.id, 3); // now 5 h old: resolution missed too
    await app.gql(AddCommentDocument, { input: { ticketId: ticket.id, body: 'Sorry for the wait' } }, agent.token);
    await recordDueBreaches(app.em() as never);
    expect((await breaches()).map((e) => e.details.clock)).toEqual(['FIRST_RESPONSE', 'RESOLUTION']);

    const late = await createTicket('URGENT');
    await age(late.id, 2);
    await app.gql(AddCommentDocument, { input: { ticketId: late.id, body: 'Late reply' } }, agent.token);
    const lateEvents = await app.em().find(TicketEvent, { ticket: (await row(late.id)).id, type: 'SLA_BREACHED' as never });
    expect(lateEvents.map((e) => e.details.clock)).toEqual(['FIRST_RESPONSE']);
  });

  it('hides nothing from customers about the clocks of their own tickets, and shows them nothing of others', async () => {
    const ticket = await createTicket('URGENT');
    const seen = await sla(ticket.id, carol.token);
    expect(seen.sla.resolutionDueAt).not.toBeNull();
    const other = await make.ticket(app, { business: await make.business(app) });
    const hidden = await app.gql(TicketSlaDocument, { id: other.globalId }, carol.token);
    expect(hidden.errors![0].extensions!.code).toBe('NOT_FOUND');
  });
});
