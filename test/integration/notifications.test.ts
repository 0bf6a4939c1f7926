import type { GraphQLFormattedError } from 'graphql';
import {
  AddCommentDocument,
  AssignTicketDocument,
  LogoutDocument,
  NotificationChannel as Channel,
  NotificationEvent as Event,
  NotifyListDocument,
  NotifyMarkReadDocument,
  NotifyNodeDocument,
  NotifyPreferencesDocument,
  NotifyUpdatePreferencesDocument,
  OnNotificationAddedDocument,
} from '../__generated__/graphql';
import { Delivery } from '../../src/modules/deliveries/delivery.entity';
import { Notification } from '../../src/modules/notifications/notification.entity';
import { NotificationEvent } from '../../src/modules/notifications/notification.enums';
import { NOTIFICATION_CONSUMER } from '../../src/modules/notifications/notification.consumer';
import { recordDueFollowUps } from '../../src/modules/followups/follow-up-due.job';
import { FollowUp } from '../../src/modules/followups/follow-up.entity';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { User } from '../../src/modules/users/user.entity';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startSmtpSink, type SmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';
import { writesNothing } from '../setup/writes-nothing';
import { subscribe, triggerUntilHeard, wsClient, type Subscription } from '../setup/ws-client';

const REDIS = { REDIS_URL: 'redis://127.0.0.1:6379' };
const MAIL_FROM = 'Help Desk <help@ticketgraph.test>';

let smtp: SmtpSink;
let app: TestApp;
let admin: make.Staff;
let agent: make.Staff;
let other: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let carol: make.Customer;

beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ ...REDIS, SMTP_URL: smtp.url, MAIL_FROM, PUBLIC_URL: 'https://desk.example.test' });
  admin = await make.staffUser(app, Role.ADMIN);
  agent = await make.staffUser(app);
  other = await make.staffUser(app);
  acme = await make.business(app);
  carol = await make.customer(app, acme);
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
});

const codeOf = (result: { errors?: readonly GraphQLFormattedError[] }) => result.errors?.[0]?.extensions?.code;
const catchUp = () => app.app.consumers.catchUp(NOTIFICATION_CONSUMER);

async function mine(staff: make.Staff, unreadOnly = false) {
  const result = await app.gql(NotifyListDocument, { first: 100, unreadOnly }, staff.token);
  expect(result.errors).toBeUndefined();
  return result.data!.notifications;
}

/** Mail delivered to `address` since `before` (an index into the sink's list). */
async function mailTo(address: string, before: number) {
  await app.app.deliveries.runDue();
  return smtp.received.slice(before).filter((mail) => mail.to.includes(address));
}

describe('who is notified of what', () => {
  it('tells the assignee, never the actor: in-app and by mail (the defaults), once however often the feed is read', async () => {
    const ticket = await make.ticket(app, { business: acme });
    const sent = smtp.received.length;
    expect((await app.gql(AssignTicketDocument, { input: { ticketId: ticket.globalId, assigneeId: agent.user.globalId } }, admin.token)).errors).toBeUndefined();
    await catchUp();
    await catchUp();

    const list = await mine(agent);
    const assigned = list.nodes.filter((n) => n.ticket?.id === ticket.globalId);
    expect(assigned).toEqual([
      expect.objectContaining({ event: Event.ASSIGNED_TO_YOU, title: `#${ticket.number} ${ticket.title} was assigned to you`, read: false, readAt: null }),
    ]);
    expect((await mine(admin)).nodes.filter((n) => n.ticket?.id === ticket.globalId)).toEqual([]);

    const mails = await mailTo(agent.user.email, sent);
    expect(mails).toHaveLength(1);
    expect(mails[0].parsed.subject).toBe(`#${ticket.number} ${ticket.title} was assigned to you`);
    expect(mails[0].parsed.text).toContain(`https://desk.example.test/tickets/${ticket.number}`);
    expect(mails[0].parsed.html).toContain(`href="https://desk.example.test/tickets/${ticket.number}"`);
    expect(await app.em().count(Delivery, { dedupKey: { $like: 'notification:%' }, target: agent.user.email })).toBe(1);

    // Taking a ticket oneself notifies nobody.
    const own = await make.ticket(app, { business: acme });
    await app.gql(AssignTicketDocument, { input: { ticketId: own.globalId, assigneeId: agent.user.globalId } }, agent.token);
    await catchUp();
    expect((await mine(agent)).nodes.filter((n) => n.ticket?.id === own.globalId)).toEqual([]);
  });

  it("tells the assignee when the customer replies, not when the team writes (a note or a reply); the reply's text is never copied", async () => {
    const ticket = await make.ticket(app, { business: acme, assignee: agent.user, status: TicketStatus.IN_PROGRESS });
    await app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'Secret team note' } }, other.token);
    await app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'Internal', isInternal: true } }, other.token);
    const reply = await app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'It still fails' } }, carol.token);
    expect(reply.errors).toBeUndefined();
    await catchUp();

    const about = (await mine(agent)).nodes.filter((n) => n.ticket?.id === ticket.globalId);
    expect(about.map((n) => n.event)).toEqual([Event.CUSTOMER_REPLIED]);
    expect(about[0].details).toEqual({ comment: reply.data!.addComment.comment.id });
    expect(JSON.stringify(about)).not.toContain('It still fails');
    expect((await mine(other)).nodes.filter((n) => n.ticket?.id === ticket.globalId)).toEqual([]);
    // A customer's reply is in-app only by default.
    expect(await app.em().count(Delivery, { ticket: ticket.id })).toBe(0);
  });

  it('tells the owner when a follow-up falls due (the job records it once)', async () => {
    const ticket = await make.ticket(app, { business: acme, status: TicketStatus.RESOLVED });
    const em = app.em();
    const followUp = em.create(FollowUp, { ticket: ticket.id, owner: other.user.id, dueAt: new Date(Date.now() - 1000), note: 'Call back' });
    await em.flush();
    expect(await recordDueFollowUps(app.em())).toBeGreaterThanOrEqual(1);
    expect(await recordDueFollowUps(app.em())).toBe(0);
    await catchUp();
    const due = (await mine(other)).nodes.filter((n) => n.event === Event.FOLLOW_UP_DUE && n.ticket?.id === ticket.globalId);
    expect(due).toEqual([expect.objectContaining({ title: `Follow-up due on #${ticket.number} ${ticket.title}: Call back`, details: { followUp: followUp.globalId, note: 'Call back' } })]);
  });

  it('notifies active admins of notices outside the timeline, once per occurrence, and never agents', async () => {
    const retired = await make.staffUser(app, Role.ADMIN);
    await app.em().nativeUpdate(User, { id: retired.user.id }, { deactivatedAt: new Date() });
    const notice = { about: `webhook:${Date.now()}:disabled`, title: 'Webhook https://partner.test/hook was disabled', details: { url: 'https://partner.test/hook' } };
    for (let i = 0; i < 2; i += 1) {
      await app.em().transactional((em) => app.app.notifier.notifyAdmins(em, NotificationEvent.WEBHOOK_DISABLED, notice));
    }
    const rows = await app.em().find(Notification, { event: NotificationEvent.WEBHOOK_DISABLED, key: { $like: `${notice.about}:%` } });
    const admins = await app.em().find(User, { role: Role.ADMIN, deactivatedAt: null });
    expect(rows.map((n) => n.recipient.id).sort()).toEqual(admins.map((a) => a.id).sort());
    expect(rows.map((n) => n.recipient.id)).not.toContain(retired.user.id);
    expect(await app.em().count(Delivery, { dedupKey: { $like: `notification:${notice.about}:%` } })).toBe(admins.length);
    expect((await mine(admin)).nodes.find((n) => n.event === Event.WEBHOOK_DISABLED)).toMatchObject({ title: notice.title, ticket: null, details: notice.details });
  });
});

describe('preferences', () => {
  it('lists every event of the role on both channels with the defaults, and follows what a member chooses', async () => {
    const member = await make.staffUser(app);
    const defaults = (await app.gql(NotifyPreferencesDocument, {}, member.token)).data!.notificationPreferences;
    expect(defaults).toHaveLength(10);
    expect(defaults.some((p) => p.event === Event.WEBHOOK_DISABLED)).toBe(false);
    expect(defaults.every((p) => p.isDefault)).toBe(true);
    expect(defaults.filter((p) => p.channel === Channel.EMAIL && !p.enabled).map((p) => p.event).sort()).toEqual([Event.CUSTOMER_REPLIED, Event.FOLLOW_UP_DUE]);
    expect((await app.gql(NotifyPreferencesDocument, {}, admin.token)).data!.notificationPreferences).toHaveLength(12);

    const updated = await app.gql(
      NotifyUpdatePreferencesDocument,
      {
        input: {
          preferences: [
            { event: Event.ASSIGNED_TO_YOU, channel: Channel.IN_APP, enabled: false },
            { event: Event.ASSIGNED_TO_YOU, channel: Channel.EMAIL, enabled: false },
            { event: Event.CUSTOMER_REPLIED, channel: Channel.EMAIL, enabled: true },
          ],
        },
      },
      member.token,
    );
    expect(updated.errors).toBeUndefined();
    expect(updated.data!.updateNotificationPreferences.filter((p) => !p.isDefault)).toHaveLength(3);

    const ticket = await make.ticket(app, { business: acme });
    await app.gql(AssignTicketDocument, { input: { ticketId: ticket.globalId, assigneeId: member.user.globalId } }, admin.token);
    await app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'Hello?' } }, carol.token);
    await catchUp();
    expect((await mine(member)).nodes.map((n) => n.event)).toEqual([Event.CUSTOMER_REPLIED]);
    const deliveries = await app.em().find(Delivery, { target: member.user.email });
    expect(deliveries.map((d) => (d.payload as { subject: string }).subject)).toEqual([`The customer replied on #${ticket.number} ${ticket.title}`]);
  });

  it('refuses bad choices with the field at fault and stores nothing', async () => {
    const cases: [unknown, string][] = [
      [[], 'preferences'],
      [[{ event: Event.WEBHOOK_DISABLED, channel: Channel.EMAIL, enabled: false }], 'preferences[0].event'],
      [
        [
          { event: Event.SLA_BREACHED, channel: Channel.EMAIL, enabled: false },
          { event: Event.SLA_BREACHED, channel: Channel.EMAIL, enabled: true },
        ],
        'preferences[1]',
      ],
    ];
    for (const [preferences, field] of cases) {
      const result = await writesNothing(app, ['notification_preference'], () =>
        app.gql(NotifyUpdatePreferencesDocument, { input: { preferences: preferences as never } }, agent.token),
      );
      expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});

describe('the list and read state', () => {
  it('pages newest first, filters unread, and marks read by id or all, only ever the viewer’s own', async () => {
    const member = await make.staffUser(app);
    const tickets = [];
    for (let i = 0; i < 3; i += 1) {
      const ticket = await make.ticket(app, { business: acme });
      tickets.push(ticket);
      await app.gql(AssignTicketDocument, { input: { ticketId: ticket.globalId, assigneeId: member.user.globalId } }, admin.token);
    }
    await catchUp();
    const first = (await app.gql(NotifyListDocument, { first: 2 }, member.token)).data!.notifications;
    expect(first.totalCount).toBe(3);
    expect(first.nodes.map((n) => n.ticket!.id)).toEqual([tickets[2].globalId, tickets[1].globalId]);
    const rest = (await app.gql(NotifyListDocument, { first: 2, after: first.pageInfo.endCursor }, member.token)).data!.notifications;
    expect(rest.nodes.map((n) => n.ticket!.id)).toEqual([tickets[0].globalId]);
    expect(rest.pageInfo.hasNextPage).toBe(false);

    // Another member's id: NOT_FOUND, and nothing is marked, not even the member's own ids beside it.
    const theirs = (await mine(agent)).nodes[0].id;
    const refused = await writesNothing(app, ['notification'], () => app.gql(NotifyMarkReadDocument, { input: { ids: [first.nodes[0].id, theirs] } }, member.token));
    expect(codeOf(refused)).toBe('NOT_FOUND');
    expect(codeOf(await app.gql(NotifyNodeDocument, { id: theirs }, member.token))).toBe('NOT_FOUND');
    expect((await app.gql(NotifyNodeDocument, { id: first.nodes[0].id }, member.token)).data!.node).toMatchObject({ event: Event.ASSIGNED_TO_YOU });

    for (const [input, field] of [
      [{ ids: [first.nodes[0].id], all: true }, 'all'],
      [{}, 'ids'],
      [{ ids: [] }, 'ids'],
      [{ ids: ['nonsense'] }, 'ids[0]'],
    ] as const) {
      const result = await writesNothing(app, ['notification'], () => app.gql(NotifyMarkReadDocument, { input: input as never }, member.token));
      expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }

    const one = await app.gql(NotifyMarkReadDocument, { input: { ids: [first.nodes[0].id] } }, member.token);
    expect(one.data!.markNotificationsRead).toEqual({ marked: 1, unreadCount: 2 });
    expect((await mine(member, true)).nodes.map((n) => n.ticket!.id)).toEqual([tickets[1].globalId, tickets[0].globalId]);
    const all = await app.gql(NotifyMarkReadDocument, { input: { all: true } }, member.token);
    expect(all.data!.markNotificationsRead).toEqual({ marked: 2, unreadCount: 0 });
    expect((await mine(member)).nodes.every((n) => n.read && n.readAt !== null)).toBe(true);
    expect((await mine(agent, true)).totalCount).toBeGreaterThan(0);
  });

  it('belongs to staff: customers and API keys (any scope) are FORBIDDEN, anonymous callers UNAUTHENTICATED', async () => {
    const key = await make.apiKey(app, admin.user, Object.values(ApiScope));
    for (const [token, code] of [
      [carol.token, 'FORBIDDEN'],
      [key, 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      expect(codeOf(await app.gql(NotifyListDocument, {}, token))).toBe(code);
      expect(codeOf(await app.gql(NotifyPreferencesDocument, {}, token))).toBe(code);
      expect(codeOf(await app.gql(NotifyMarkReadDocument, { input: { all: true } }, token))).toBe(code);
      const update = { input: { preferences: [{ event: Event.SLA_BREACHED, channel: Channel.EMAIL, enabled: false }] } };
      expect(codeOf(await app.gql(NotifyUpdatePreferencesDocument, update, token))).toBe(code);
    }
  });
});

describe('notificationAdded', () => {
  /** Makes `subscription` live: re-announces a notice of `staff`'s own until it arrives. */
  async function live(target: TestApp, subscription: Subscription<unknown>, staff: make.Staff) {
    let attempt = 0;
    await triggerUntilHeard(subscription, async () => {
      const em = target.em();
      em.create(Notification, { recipient: staff.user.id, event: NotificationEvent.FOLLOW_UP_DUE, key: `probe:${Date.now()}:${(attempt += 1)}:${staff.user.id}`, title: 'probe' });
      await em.flush();
    });
    subscription.received.length = 0;
  }

  it('reaches only its recipient, on another instance, once; customers and API keys cannot subscribe; a revoked session ends it', async () => {
    const second = await startTestApp({ ...REDIS, SMTP_URL: smtp.url, MAIL_FROM }, app);
    const member = await make.staffUser(app);
    const memberToken = await make.session(app, member.user);
    const memberClient = wsClient(second.url, memberToken);
    const otherClient = wsClient(second.url, other.token);
    const customerClient = wsClient(second.url, carol.token);
    const keyClient = wsClient(second.url, await make.apiKey(app, admin.user, Object.values(ApiScope)));
    try {
      const mineLive = subscribe(memberClient, OnNotificationAddedDocument);
      const theirs = subscribe(otherClient, OnNotificationAddedDocument);
      await live(second, mineLive, member);
      await live(second, theirs, other);

      const ticket = await make.ticket(app, { business: acme });
      await app.gql(AssignTicketDocument, { input: { ticketId: ticket.globalId, assigneeId: member.user.globalId } }, admin.token);
      await catchUp();
      const [added] = await mineLive.waitFor(1);
      expect(added.data!.notificationAdded).toMatchObject({ event: Event.ASSIGNED_TO_YOU, ticket: { id: ticket.globalId, number: ticket.number } });
      // Another notification for someone else, then one more for the member: the member's stream holds exactly its own two.
      const next = await make.ticket(app, { business: acme });
      await app.gql(AssignTicketDocument, { input: { ticketId: next.globalId, assigneeId: other.user.globalId } }, admin.token);
      await app.gql(AssignTicketDocument, { input: { ticketId: next.globalId, assigneeId: member.user.globalId } }, admin.token);
      await catchUp();
      await mineLive.waitFor(2);
      await theirs.waitFor(1);
      expect(mineLive.received.map((r) => r.data!.notificationAdded.ticket!.id)).toEqual([ticket.globalId, next.globalId]);
      expect(theirs.received.map((r) => r.data!.notificationAdded.ticket!.id)).toEqual([next.globalId]);

      // Customers and API keys (whatever their scopes) are refused at subscribe time.
      for (const client of [customerClient, keyClient]) {
        const refused = subscribe(client, OnNotificationAddedDocument);
        await new Promise<void>((resolve) => {
          const check = () => (refused.errors.length > 0 || refused.received.length > 0 ? resolve() : setTimeout(check, 20));
          check();
        });
        const errors = (refused.errors[0] ?? refused.received[0]?.errors) as GraphQLFormattedError[];
        expect(errors[0].extensions?.code).toBe('FORBIDDEN');
      }

      // Logging out everywhere on the first instance closes the member's socket on the second (4403).
      await app.gql(LogoutDocument, { input: { everywhere: true } }, memberToken);
      await new Promise<void>((resolve) => {
        const check = () => (mineLive.errors.length > 0 ? resolve() : setTimeout(check, 20));
        check();
      });
      expect((mineLive.errors[0] as { code: number }).code).toBe(4403);
    } finally {
      await Promise.all([memberClient.dispose(), otherClient.dispose(), customerClient.dispose(), keyClient.dispose()]);
      await second.stop();
    }
  });
});
