import {
  AddCommentDocument,
  ChangeTicketStatusDocument,
  CreateWebhookDocument,
  NotificationEvent as Event,
  NotifyListDocument,
  OnTicketEventsDocument,
  TicketHistoryDocument,
  WebhookEventType,
} from '../__generated__/graphql';
import { Delivery } from '../../src/modules/deliveries/delivery.entity';
import { recordDueFollowUps } from '../../src/modules/followups/follow-up-due.job';
import { FollowUp } from '../../src/modules/followups/follow-up.entity';
import { NOTIFICATION_CONSUMER } from '../../src/modules/notifications/notification.consumer';
import { Notification } from '../../src/modules/notifications/notification.entity';
import { NotificationEvent } from '../../src/modules/notifications/notification.enums';
import { ROLL_UP_CONSUMER } from '../../src/modules/reports/roll-up.writer';
import { recordSlaWarnings } from '../../src/modules/sla/at-risk.job';
import { recordDueBreaches } from '../../src/modules/sla/breach.job';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startSmtpSink, type SmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';
import { startWebhookReceiver, type WebhookReceiver } from '../setup/webhook-receiver';
import { receivedUntil, subscribe, triggerUntilHeard, wsClient } from '../setup/ws-client';
import { webhookConsumer } from '../../src/modules/webhooks/webhook.consumer';

const ENV = { REDIS_URL: 'redis://127.0.0.1:6379', MAIL_FROM: 'Help Desk <help@ticketgraph.test>', WEBHOOK_ALLOW_PRIVATE: 'true' };
const MINUTE = 60_000;

let smtp: SmtpSink;
let receiver: WebhookReceiver;
let app: TestApp;
let second: TestApp;
let agents: make.Staff[];
let acme: Awaited<ReturnType<typeof make.business>>;
let carol: make.Customer;

beforeAll(async () => {
  smtp = await startSmtpSink();
  receiver = await startWebhookReceiver();
  app = await startTestApp({ ...ENV, SMTP_URL: smtp.url });
  second = await startTestApp({ ...ENV, SMTP_URL: smtp.url }, app);
  agents = [await make.staffUser(app), await make.staffUser(app), await make.staffUser(app)];
  acme = await make.business(app);
  carol = await make.customer(app, acme);
});
afterAll(async () => {
  await receiver.close();
  await second.stop();
  await app.stop();
  await smtp.close();
});

/** A running ticket whose clocks are set relative to now (minutes; null: no such clock). */
async function clocked(target: TestApp, fields: { business?: typeof acme; assignee?: make.Staff; createdAgo: number; dueIn: number | null; firstResponseDueIn?: number | null; status?: TicketStatus }) {
  const now = Date.now();
  const ticket = await make.ticket(target, {
    business: fields.business ?? acme,
    assignee: fields.assignee?.user ?? null,
    status: fields.status ?? TicketStatus.IN_PROGRESS,
    createdAt: new Date(now - fields.createdAgo * MINUTE),
  });
  await target.em().nativeUpdate(Ticket, { id: ticket.id }, {
    dueAt: fields.dueIn === null ? null : new Date(now + fields.dueIn * MINUTE),
    firstResponseDueAt: fields.firstResponseDueIn == null ? null : new Date(now + fields.firstResponseDueIn * MINUTE),
  });
  return ticket;
}

async function entriesOf(ticketIds: string[], type: string) {
  return app
    .em()
    .getConnection()
    .execute<{ ticket_id: string; clock: string; count: string; internal: boolean }[]>(
      `select ticket_id, details->>'clock' as clock, count(*)::text as count, bool_and(is_internal) as internal
         from ticket_event where type = ? and ticket_id = any(?::uuid[]) group by ticket_id, details->>'clock'`,
      [type, `{${ticketIds.join(',')}}`],
    );
}

describe('SLA_AT_RISK', () => {
  it('is recorded once per clock when the configured share of its time has passed, for running clocks only, as an internal entry', async () => {
    const [owner] = agents;
    const atRisk = await clocked(app, { assignee: owner, createdAgo: 90, dueIn: 10 }); // 90 % of the resolution clock
    const early = await clocked(app, { assignee: owner, createdAgo: 10, dueIn: 90 }); // 10 %
    const paused = await clocked(app, { assignee: owner, createdAgo: 90, dueIn: 10 });
    await app.em().nativeUpdate(Ticket, { id: paused.id }, { slaPausedSince: new Date(), status: TicketStatus.WAITING_ON_CUSTOMER });
    const resolved = await clocked(app, { assignee: owner, createdAgo: 90, dueIn: 10, status: TicketStatus.RESOLVED });
    const firstResponse = await clocked(app, { assignee: owner, createdAgo: 90, dueIn: 10_000, firstResponseDueIn: 10 });
    const ids = [atRisk, early, paused, resolved, firstResponse].map((t) => t.id);

    // At 95 % nothing has reached the share yet; at 80 % two clocks have.
    await recordSlaWarnings(app.em(), 0.95);
    expect(await entriesOf(ids, 'SLA_AT_RISK')).toEqual([]);
    expect(await recordSlaWarnings(app.em(), 0.8)).toBeGreaterThanOrEqual(2);
    expect(await recordSlaWarnings(app.em(), 0.8)).toBe(0);
    const entries = await entriesOf(ids, 'SLA_AT_RISK');
    expect(entries.map(({ ticket_id, clock, count, internal }) => ({ ticket_id, clock, count, internal })).sort((a, b) => a.clock.localeCompare(b.clock))).toEqual([
      { ticket_id: firstResponse.id, clock: 'FIRST_RESPONSE', count: '1', internal: true },
      { ticket_id: atRisk.id, clock: 'RESOLUTION', count: '1', internal: true },
    ]);
    expect(await app.em().findOne(Ticket, { id: atRisk.id })).toMatchObject({ resolutionAtRiskAt: expect.any(Date), firstResponseAtRiskAt: null, version: atRisk.version });

    // Staff see the entry; the customer never does.
    const staffHistory = await app.gql(TicketHistoryDocument, { id: atRisk.globalId }, owner.token);
    expect(staffHistory.data!.ticket!.history.nodes.map((e) => e.type)).toContain('SLA_AT_RISK');
    const customerHistory = await app.gql(TicketHistoryDocument, { id: atRisk.globalId }, carol.token);
    expect(customerHistory.data!.ticket!.history.nodes.map((e) => e.type)).not.toContain('SLA_AT_RISK');

    // The roll-ups read past it (it moves no figure); the assignee is told, in-app and by mail.
    await app.app.consumers.catchUp(ROLL_UP_CONSUMER);
    await app.app.consumers.catchUp(NOTIFICATION_CONSUMER);
    const notes = (await app.gql(NotifyListDocument, { first: 100 }, owner.token)).data!.notifications.nodes.filter((n) => n.event === Event.SLA_AT_RISK);
    expect(notes.map((n) => n.title).sort()).toEqual(
      [`#${atRisk.number} ${atRisk.title}: the resolution target is at risk`, `#${firstResponse.number} ${firstResponse.title}: the first response target is at risk`].sort(),
    );
  });
});

describe('two instances running the jobs at the same time', () => {
  it('record each breach and warning once; the timeline subscription, notifications, mails and webhooks each see it once', async () => {
    const watched = await make.business(app);
    const watcher = await make.staffUser(app, Role.ADMIN);
    const endpoint = await app.gql(
      CreateWebhookDocument,
      { input: { url: receiver.url('/sla'), events: [WebhookEventType.SLA_BREACHED, WebhookEventType.SLA_AT_RISK], includeInternal: true } },
      watcher.token,
    );
    expect(endpoint.errors).toBeUndefined();
    const client = wsClient(second.url, watcher.token);
    try {
      const stream = subscribe(client, OnTicketEventsDocument, { filter: { businessId: watched.globalId } });
      const warmUp = await make.ticket(app, { business: watched });
      await triggerUntilHeard(stream, () => app.gql(AddCommentDocument, { input: { ticketId: warmUp.globalId, body: 'ping' } }, watcher.token));
      stream.received.length = 0;

      // Every ticket has a first response past due (a breach) and 90 % of its resolution time gone (a warning).
      const tickets = [];
      for (let i = 0; i < 150; i += 1) {
        tickets.push(await clocked(app, { business: watched, assignee: agents[i % 3], createdAgo: 90, dueIn: 10, firstResponseDueIn: -1 }));
      }
      const ids = tickets.map((t) => t.id);
      // Rounds of all four at once until a round finds nothing: a row one job holds is skipped by the other, never waited for.
      for (;;) {
        const counts = await Promise.all([
          recordDueBreaches(app.em()),
          recordDueBreaches(second.em()),
          recordSlaWarnings(app.em(), 0.8),
          recordSlaWarnings(second.em(), 0.8),
        ]);
        if (counts.every((count) => count === 0)) break;
      }

      const breaches = await entriesOf(ids, 'SLA_BREACHED');
      const warnings = await entriesOf(ids, 'SLA_AT_RISK');
      expect(breaches).toHaveLength(150);
      expect(breaches.every((row) => row.clock === 'FIRST_RESPONSE' && row.count === '1' && !row.internal)).toBe(true);
      expect(warnings).toHaveLength(150);
      expect(warnings.every((row) => row.clock === 'RESOLUTION' && row.count === '1')).toBe(true);

      // The subscriber on the other instance receives each entry once. The tickets' own entries (CREATED…)
      // come too. The warm-up ticket's status change is the end marker (nothing else here changes a status):
      // one socket is ordered, so every SLA entry sent before it, duplicates included, has arrived with it.
      const marker = await app.gql(ChangeTicketStatusDocument, { input: { ticketId: warmUp.globalId, status: 'IN_PROGRESS' as never } }, watcher.token);
      expect(marker.errors).toBeUndefined();
      const events = () => stream.received.map((r) => r.data!.ticketEvents);
      await receivedUntil(stream, () => events().some((e) => e.type === 'STATUS_CHANGED'));
      const seen = events().filter((e) => e.type === 'SLA_BREACHED' || e.type === 'SLA_AT_RISK');
      expect(seen).toHaveLength(300);
      expect(new Set(seen.map((e) => e.id)).size).toBe(300);

      // Each assignee is told of each once; each mail is sent once, though both instances send.
      await app.app.consumers.catchUp(NOTIFICATION_CONSUMER);
      for (const [i, agent] of agents.entries()) {
        const theirs = tickets.filter((_, n) => n % 3 === i).map((t) => t.id);
        for (const event of [NotificationEvent.SLA_BREACHED, NotificationEvent.SLA_AT_RISK]) {
          const told = await app.em().find(Notification, { recipient: agent.user.id, event, ticket: { $in: ids } });
          expect(told.map((n) => n.ticket!.id).sort()).toEqual([...theirs].sort());
        }
      }
      const before = smtp.received.length;
      await Promise.all([app.app.deliveries.runDue(), second.app.deliveries.runDue()]);
      const deliveries = await app.em().find(Delivery, { ticket: { $in: ids } });
      expect(deliveries).toHaveLength(300);
      const mails = smtp.received.slice(before).filter((mail) => deliveries.some((d) => (d.payload as { messageId: string }).messageId === mail.parsed.messageId));
      expect(mails).toHaveLength(300);
      expect(new Set(mails.map((mail) => mail.parsed.messageId)).size).toBe(300);

      // Each is posted to the endpoint once, though both instances decide and send.
      await Promise.all([app.app.consumers.catchUp(webhookConsumer.name), second.app.consumers.catchUp(webhookConsumer.name)]);
      await Promise.all([app.app.deliveries.runDue(), second.app.deliveries.runDue()]);
      const posted = receiver.at('/sla').map((request) => JSON.parse(request.body.toString()) as { type: string; data: { entry: { id: string } } });
      expect(posted.filter((message) => message.type === 'SLA_BREACHED')).toHaveLength(150);
      expect(posted.filter((message) => message.type === 'SLA_AT_RISK')).toHaveLength(150);
      expect(new Set(posted.map((message) => message.data.entry.id)).size).toBe(300);
      expect(new Set(receiver.at('/sla').map((request) => request.headers['webhook-id'])).size).toBe(300);
    } finally {
      await client.dispose();
    }
  });

  it('record each due follow-up once, and none completed or not yet due', async () => {
    const owner = agents[1];
    const em = app.em();
    const followUps: FollowUp[] = [];
    for (let i = 0; i < 120; i += 1) {
      const ticket = await make.ticket(app, { business: acme, status: TicketStatus.RESOLVED });
      followUps.push(em.create(FollowUp, { ticket: ticket.id, owner: owner.user.id, dueAt: new Date(Date.now() - MINUTE), note: `Check ${i}` }));
    }
    const done = await make.ticket(app, { business: acme, status: TicketStatus.RESOLVED });
    const completed = em.create(FollowUp, { ticket: done.id, owner: owner.user.id, dueAt: new Date(Date.now() - MINUTE), note: 'Done', completedAt: new Date() });
    const later = em.create(FollowUp, { ticket: done.id, owner: owner.user.id, dueAt: new Date(Date.now() + 60 * MINUTE), note: 'Later' });
    await em.flush();

    const counts = await Promise.all([recordDueFollowUps(app.em()), recordDueFollowUps(second.em())]);
    expect(counts[0] + counts[1]).toBeGreaterThanOrEqual(120);
    const rows = await app
      .em()
      .getConnection()
      .execute<{ follow_up: string; count: string }[]>(
        `select details->>'followUp' as follow_up, count(*)::text as count from ticket_event where type = 'FOLLOW_UP_DUE' and details->>'followUp' = any(?::text[]) group by 1`,
        [`{${[...followUps, completed, later].map((f) => f.globalId).join(',')}}`],
      );
    expect(rows).toHaveLength(120);
    expect(rows.every((row) => row.count === '1')).toBe(true);
    expect(rows.map((row) => row.follow_up)).not.toContain(completed.globalId);
    expect(rows.map((row) => row.follow_up)).not.toContain(later.globalId);
  });
});
