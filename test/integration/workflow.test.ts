import {
  AddCommentDocument,
  AvailableTransitionsDocument,
  ChangeTicketStatusDocument,
  CompleteFollowUpDocument,
  ConfirmResolutionDocument,
  FollowUpsDocument,
  OnCommentAddedDocument,
  OnTicketStatusChangedDocument,
  ReopenTicketDocument,
  ResolveTicketDocument,
  ScheduleFollowUpDocument,
  SetTicketDueDateDocument,
  TicketCommentsDocument,
  TicketHistoryDocument,
} from '../__generated__/graphql';
import { FollowUp } from '../../src/modules/followups/follow-up.entity';
import { fromGlobalId } from '../../src/shared/global-id';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import { subscribe, untilLive, wsClient } from '../setup/ws-client';

let app: TestApp;
let agent: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let carol: make.Customer;

beforeAll(async () => {
  app = await startTestApp();
  agent = await make.staffUser(app);
  acme = await make.business(app);
  carol = await make.customer(app, acme);
});
afterAll(() => app.stop());

const statusOf = async (id: string) => (await app.em().findOneOrFail(Ticket, { id })).status;

describe('the seed workflow', () => {
  it('goes OPEN → IN_PROGRESS → WAITING_ON_CUSTOMER → IN_PROGRESS → RESOLVED → CLOSED', async () => {
    const t = await make.ticket(app, { business: acme });
    const move = (status: TicketStatus, reason?: string) =>
      app.gql(ChangeTicketStatusDocument, { input: { ticketId: t.globalId, status: status as never, reason } }, agent.token);

    const started = await move(TicketStatus.IN_PROGRESS);
    expect(started.data!.changeTicketStatus.ticket).toMatchObject({ status: 'IN_PROGRESS', version: 2, assignee: { name: agent.user.name } });
    expect((await move(TicketStatus.WAITING_ON_CUSTOMER, 'Need the logs')).data!.changeTicketStatus.ticket.status).toBe('WAITING_ON_CUSTOMER');
    expect((await move(TicketStatus.IN_PROGRESS)).data!.changeTicketStatus.ticket.status).toBe('IN_PROGRESS');

    const resolved = await app.gql(ResolveTicketDocument, { input: { ticketId: t.globalId, resolutionNotes: 'Rotated the key' } }, agent.token);
    expect(resolved.data!.resolveTicket.ticket).toMatchObject({ status: 'RESOLVED', resolutionNotes: 'Rotated the key' });
    expect(resolved.data!.resolveTicket.ticket.resolvedAt).not.toBeNull();

    const closed = await app.gql(ConfirmResolutionDocument, { input: { ticketId: t.globalId } }, carol.token);
    expect(closed.errors).toBeUndefined();
    expect(closed.data!.confirmResolution.ticket).toMatchObject({ status: 'CLOSED', availableTransitions: [] });

    const history = await app.gql(TicketHistoryDocument, { id: t.globalId, first: 50 }, agent.token);
    const moves = history.data!.ticket!.history.nodes.filter((e) => e.type === 'STATUS_CHANGED').map((e) => [e.fromStatus, e.toStatus]);
    expect(moves).toEqual([
      ['OPEN', 'IN_PROGRESS'],
      ['IN_PROGRESS', 'WAITING_ON_CUSTOMER'],
      ['WAITING_ON_CUSTOMER', 'IN_PROGRESS'],
      ['IN_PROGRESS', 'RESOLVED'],
      ['RESOLVED', 'CLOSED'],
    ]);
  });
});

describe('refused moves', () => {
  it('answers INVALID_TRANSITION with the allowed targets and writes nothing', async () => {
    const t = await make.ticket(app, { business: acme });
    const res = await app.gql(ChangeTicketStatusDocument, { input: { ticketId: t.globalId, status: 'CLOSED' as never } }, agent.token);
    expect(res.errors![0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', from: 'OPEN', to: 'CLOSED', allowed: ['IN_PROGRESS'] });
    expect(await statusOf(t.id)).toBe(TicketStatus.OPEN);
  });

  it('needs a reason to wait, and resolution notes to resolve', async () => {
    const t = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    const wait = await app.gql(ChangeTicketStatusDocument, { input: { ticketId: t.globalId, status: 'WAITING_ON_THIRD_PARTY' as never } }, agent.token);
    expect(wait.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'reason' });
    const resolve = await app.gql(ResolveTicketDocument, { input: { ticketId: t.globalId, resolutionNotes: '   ' } }, agent.token);
    expect(resolve.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'resolutionNotes' });
    expect(await statusOf(t.id)).toBe(TicketStatus.IN_PROGRESS);
  });

  it('lets a customer only confirm or reopen its own resolved tickets', async () => {
    const open = await make.ticket(app, { business: acme });
    const refused = await app.gql(ChangeTicketStatusDocument, { input: { ticketId: open.globalId, status: 'IN_PROGRESS' as never } }, carol.token);
    expect(refused.errors![0].extensions).toMatchObject({ code: 'INVALID_TRANSITION', allowed: [] });

    const resolved = await make.ticket(app, { business: acme, status: TicketStatus.RESOLVED });
    const seen = await app.gql(AvailableTransitionsDocument, { id: resolved.globalId }, carol.token);
    expect(seen.data!.ticket!.availableTransitions).toEqual(['IN_PROGRESS', 'CLOSED']);
    const reopened = await app.gql(ReopenTicketDocument, { input: { ticketId: resolved.globalId, reason: 'Still broken' } }, carol.token);
    expect(reopened.data!.reopenTicket.ticket).toMatchObject({ status: 'IN_PROGRESS', resolvedAt: null });

    const other = await make.ticket(app, { business: await make.business(app), status: TicketStatus.RESOLVED });
    const foreign = await app.gql(ConfirmResolutionDocument, { input: { ticketId: other.globalId } }, carol.token);
    expect(foreign.errors![0].extensions!.code).toBe('NOT_FOUND');
    expect(await statusOf(other.id)).toBe(TicketStatus.RESOLVED);
  });
});

describe('reasons', () => {
  it('are stored on the timeline and as an internal comment unless the customer is told', async () => {
    const t = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    await app.gql(ChangeTicketStatusDocument, { input: { ticketId: t.globalId, status: 'WAITING_ON_THIRD_PARTY' as never, reason: 'Vendor ticket 42' } }, agent.token);
    await app.gql(ChangeTicketStatusDocument, { input: { ticketId: t.globalId, status: 'IN_PROGRESS' as never } }, agent.token);
    await app.gql(ChangeTicketStatusDocument, { input: { ticketId: t.globalId, status: 'WAITING_ON_CUSTOMER' as never, reason: 'Which browser?', notifyCustomer: true } }, agent.token);

    const staffView = await app.gql(TicketCommentsDocument, { id: t.globalId }, agent.token);
    expect(staffView.data!.ticket!.comments.nodes.map((c) => [c.body, c.isInternal])).toEqual([
      ['Vendor ticket 42', true],
      ['Which browser?', false],
    ]);
    const customerView = await app.gql(TicketCommentsDocument, { id: t.globalId }, carol.token);
    expect(customerView.data!.ticket!.comments.nodes.map((c) => c.body)).toEqual(['Which browser?']);
    const customerHistory = await app.gql(TicketHistoryDocument, { id: t.globalId }, carol.token);
    expect(customerHistory.data!.ticket!.history.nodes.map((e) => e.reason).filter(Boolean)).toEqual(['Which browser?']);
  });

  it('setTicketDueDate needs a justification and records it for the team', async () => {
    const t = await make.ticket(app, { business: acme });
    const dueAt = new Date(Date.now() + 86_400_000).toISOString();
    const missing = await app.gql(SetTicketDueDateDocument, { input: { ticketId: t.globalId, dueAt, justification: '' } }, agent.token);
    expect(missing.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'justification' });
    const set = await app.gql(SetTicketDueDateDocument, { input: { ticketId: t.globalId, dueAt, justification: 'Customer travels' } }, agent.token);
    expect(set.data!.setTicketDueDate.ticket.dueAt).toBe(dueAt);
    const history = await app.gql(TicketHistoryDocument, { id: t.globalId }, agent.token);
    expect(history.data!.ticket!.history.nodes.at(-1)).toMatchObject({ type: 'DUE_DATE_CHANGED', reason: 'Customer travels' });
    const customerHistory = await app.gql(TicketHistoryDocument, { id: t.globalId }, carol.token);
    expect(customerHistory.data!.ticket!.history.nodes.map((e) => e.type)).not.toContain('DUE_DATE_CHANGED');
  });
});

describe('subscriptions', () => {
  it('deliver status changes and comments after commit, each with the subscriber’s own permissions', async () => {
    const t = await make.ticket(app, { business: acme });
    const warmUp = await make.ticket(app, { business: acme });
    const staffClient = wsClient(app.url, agent.token);
    const customerClient = wsClient(app.url, carol.token);
    try {
      const staffStatus = subscribe(staffClient, OnTicketStatusChangedDocument, { ticketId: t.globalId });
      const staffComments = subscribe(staffClient, OnCommentAddedDocument, { ticketId: t.globalId });
      const customerComments = subscribe(customerClient, OnCommentAddedDocument, { ticketId: t.globalId });
      const addWarmUp = (token: string) => app.gql(AddCommentDocument, { input: { ticketId: warmUp.globalId, body: 'ping' } }, token);
      await untilLive(subscribe(staffClient, OnCommentAddedDocument, { ticketId: warmUp.globalId }), () => addWarmUp(agent.token));
      await untilLive(subscribe(customerClient, OnCommentAddedDocument, { ticketId: warmUp.globalId }), () => addWarmUp(agent.token));

      await app.gql(ChangeTicketStatusDocument, { input: { ticketId: t.globalId, status: 'IN_PROGRESS' as never } }, agent.token);
      await app.gql(AddCommentDocument, { input: { ticketId: t.globalId, body: 'internal note', isInternal: true } }, agent.token);
      await app.gql(AddCommentDocument, { input: { ticketId: t.globalId, body: 'public reply' } }, agent.token);

      const [change] = await staffStatus.waitFor(1);
      expect(change.data!.ticketStatusChanged).toMatchObject({ from: 'OPEN', to: 'IN_PROGRESS', ticket: { id: t.globalId, status: 'IN_PROGRESS' } });
      expect((await staffComments.waitFor(2)).map((r) => r.data!.commentAdded.body)).toEqual(['internal note', 'public reply']);
      const customerGot = await customerComments.waitFor(1);
      // Give a wrongly delivered internal comment time to arrive before asserting it did not.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(customerGot.map((r) => r.data!.commentAdded.body)).toEqual(['public reply']);
    } finally {
      await staffClient.dispose();
      await customerClient.dispose();
    }
  });
});

describe('follow-ups', () => {
  it('are completed only by whoever may read them: another staff member gets NOT_FOUND and changes nothing', async () => {
    const admin = await make.staffUser(app, Role.ADMIN);
    const ticket = await make.ticket(app, { business: acme, status: TicketStatus.RESOLVED });
    const dueAt = new Date(Date.now() + 86_400_000).toISOString();
    const scheduled = await app.gql(ScheduleFollowUpDocument, { input: { ticketId: ticket.globalId, dueAt, note: 'Ask about the renewal' } }, admin.token);
    const followUpId = scheduled.data!.scheduleFollowUp.id;
    expect((await app.gql(FollowUpsDocument, { dueOnly: false }, agent.token)).data!.followUps.totalCount).toBe(0);

    const byAgent = await app.gql(CompleteFollowUpDocument, { input: { followUpId, note: 'Done by someone else' } }, agent.token);
    expect([byAgent.data, byAgent.errors![0].extensions!.code]).toEqual([null, 'NOT_FOUND']);
    expect(JSON.stringify(byAgent)).not.toContain('renewal');
    expect(await app.em().findOneOrFail(FollowUp, { id: fromGlobalId(followUpId)!.id })).toMatchObject({ completedAt: null, completionNote: null });

    const byOwner = await app.gql(CompleteFollowUpDocument, { input: { followUpId, note: 'Renewed' } }, admin.token);
    expect(byOwner.data!.completeFollowUp).toMatchObject({ id: followUpId, completionNote: 'Renewed' });
  });
});
