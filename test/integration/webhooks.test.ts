import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  AddCommentDocument,
  ApiScope,
  ChangeTicketStatusDocument,
  CreateWebhookDocument,
  DeleteWebhookDocument,
  RedeliverWebhookDeliveryDocument,
  ResolveTicketDocument,
  RotateWebhookSecretDocument,
  TestWebhookDocument,
  TicketStatus,
  UpdateWebhookDocument,
  WebhookDeliveryStatus,
  WebhookDisabledReason,
  WebhookEventType,
  WebhooksDocument,
  type CreateWebhookInput,
} from '../__generated__/graphql';
import { AuditEntry } from '../../src/modules/audit/audit-entry.entity';
import { Delivery, DeliveryStatus } from '../../src/modules/deliveries/delivery.entity';
import { Notification } from '../../src/modules/notifications/notification.entity';
import { NotificationEvent } from '../../src/modules/notifications/notification.enums';
import { WebhookEndpoint } from '../../src/modules/webhooks/webhook-endpoint.entity';
import { fromGlobalId, toGlobalId } from '../../src/shared/global-id';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, type GraphQLResponse, type TestApp } from '../setup/test-app';
import { startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../setup/webhook-receiver';
import { writesNothing } from '../setup/writes-nothing';
import { planOf, statementsSent } from '../setup/query-plans';

let app: TestApp;
let receiver: WebhookReceiver;
let admin: make.Staff;
let agent: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let customer: make.Customer;
let fullKey: string;
let reportsKey: string;

/** A short timeout, so the test of a receiver that never answers waits half a second, not fifteen. */
const TIMEOUT_MS = 500;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  app = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) });
  admin = await make.staffUser(app, Role.ADMIN, 'Ada Admin');
  agent = await make.staffUser(app, Role.AGENT, 'Alice Agent');
  acme = await make.business(app, { name: 'Acme' });
  customer = await make.customer(app, acme);
  fullKey = await make.apiKey(app, admin.user, Object.values(ApiScope));
  reportsKey = await make.apiKey(app, admin.user, [ApiScope.REPORTS_READ]);
});
afterAll(async () => {
  await app.stop();
  await receiver.close();
});
// Each test's endpoints hear only that test's changes.
afterEach(() => app.em().execute(`update delivery set status = 'CANCELLED' where status = 'PENDING'; delete from webhook_endpoint`));

const WEBHOOK_TABLES = ['webhook_endpoint', 'delivery', 'audit_entry'] as const;

function ok<T>(res: GraphQLResponse<T>): T {
  expect(res.errors).toBeUndefined();
  return res.data!;
}

function failure(res: GraphQLResponse<unknown>): { code: unknown; field: unknown } {
  expect(res.errors).toHaveLength(1);
  return { code: res.errors![0].extensions?.code, field: res.errors![0].extensions?.field };
}

let paths = 0;
/** An endpoint on a path of its own, created by the admin through the API. */
async function endpoint(input: Partial<CreateWebhookInput> = {}) {
  const path = `/hook-${++paths}`;
  const created = ok(
    await app.gql(
      CreateWebhookDocument,
      { input: { url: receiver.url(path), events: [WebhookEventType.TICKET_CREATED, WebhookEventType.COMMENT_ADDED], includeInternal: false, ...input } },
      admin.token,
    ),
  ).createWebhook;
  return { path, secret: created.secret, webhook: created.webhook };
}

/** Everything committed so far turned into deliveries, and everything due sent. */
async function deliverAll(): Promise<void> {
  await app.app.consumers.catchUp('webhooks');
  await app.app.deliveries.runDue();
}

const keyOf = (globalId: string) => fromGlobalId(globalId)!.id;

function deliveriesTo(webhookId: string): Promise<Delivery[]> {
  return app.em().find(Delivery, { channel: 'WEBHOOK', target: keyOf(webhookId) }, { orderBy: { createdAt: 'asc', id: 'asc' } });
}

const endpointRow = (webhookId: string) => app.em().findOneOrFail(WebhookEndpoint, { id: keyOf(webhookId) });

/** Verifies a request as a receiver would, with the standardwebhooks library; returns the parsed message. */
/** A received message, as parsed JSON: loosely typed, its shape is what the tests check. */
interface Message {
  type: string;
  timestamp: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the shape under test
  data: Record<string, any>;
}

function verified(secret: string, request: ReceivedWebhook): Message {
  return new Webhook(secret).verify(request.body.toString('utf8'), request.headers) as never;
}

/**
 * The verified messages to `path` in timeline order. Messages are sent several at a time, so they may
 * arrive in any order (as the README tells partners); entry ids are UUIDv7, ordered by creation.
 */
function messagesTo(path: string, secret: string): Message[] {
  const messages = receiver.at(path).map((request) => verified(secret, request));
  const order = (message: Message) => keyOf(message.data.entry.id);
  return messages.sort((a, b) => order(a).localeCompare(order(b)));
}

/** The admin's in-app notices that this endpoint was disabled: its reasons. */
async function disabledNotices(webhookId: string): Promise<unknown[]> {
  const notices = await app.em().find(Notification, { recipient: admin.user.id, event: NotificationEvent.WEBHOOK_DISABLED });
  return notices.filter((notice) => notice.details.webhook === webhookId).map((notice) => notice.details.reason);
}

/** Makes a waiting delivery due now, as time passing would. */
const dueNow = (delivery: Delivery) => app.em().nativeUpdate(Delivery, { id: delivery.id }, { nextAttemptAt: new Date(Date.now() - 1000) });

describe('messages', () => {
  it('are signed per Standard Webhooks, carry the event type, time, ticket and entry, and verify with the secret shown once', async () => {
    const { path, secret, webhook } = await endpoint({ description: 'CRM sync' });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhook).toMatchObject({ description: 'CRM sync', enabled: true, includeInternal: false, disabledReason: null });
    const ticket = await make.ticket(app, { business: acme, assignee: agent.user, title: 'Printer on fire', tags: ['hardware'] });
    const comment = await make.comment(app, ticket, agent.user, 'We are on it.', false);
    await deliverAll();

    const got = receiver.at(path);
    expect(got).toHaveLength(2);
    const messages = messagesTo(path, secret);
    expect(messages.map((message) => message.type)).toEqual([WebhookEventType.TICKET_CREATED, WebhookEventType.COMMENT_ADDED]);
    const [created, commented] = messages;
    expect(created.data.ticket).toMatchObject({
      id: ticket.globalId,
      number: ticket.number,
      title: 'Printer on fire',
      status: TicketStatus.OPEN,
      business: { id: acme.globalId, name: 'Acme' },
      assignee: { id: agent.user.globalId, name: 'Alice Agent' },
      tags: ['hardware'],
    });
    expect(created.data.entry).toMatchObject({ type: 'CREATED', isInternal: false, comment: null });
    expect(new Date(created.timestamp).getTime()).toBe(new Date(created.data.entry.at).getTime());
    expect(commented.data.entry).toMatchObject({
      type: 'COMMENTED',
      actor: { id: agent.user.globalId, name: 'Alice Agent' },
      comment: { id: comment.globalId, body: 'We are on it.', isInternal: false, authorName: 'Alice Agent' },
    });

    // The headers: webhook-id is the delivery's id; the timestamp is now; one v1 signature.
    const deliveries = await deliveriesTo(webhook.id);
    expect(got.map((request) => request.headers['webhook-id']).sort()).toEqual(deliveries.map((delivery) => delivery.id).sort());
    expect(Math.abs(Number(got[0].headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(300);
    expect(got[0].headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(got[0].headers['content-type']).toBe('application/json');
    // Another secret does not verify it: the check can fail.
    expect(() => verified(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, got[0])).toThrow('No matching signature found');

    const listed = ok(await app.gql(WebhooksDocument, { deliveries: 10 }, admin.token)).webhooks.nodes.find((node) => node.id === webhook.id)!;
    expect(listed.deliveries.totalCount).toBe(2);
    expect(listed.deliveries.nodes.map((node) => node.eventType)).toEqual([WebhookEventType.COMMENT_ADDED, WebhookEventType.TICKET_CREATED]);
    expect(listed.deliveries.nodes[0]).toMatchObject({
      status: WebhookDeliveryStatus.DELIVERED,
      attempts: 1,
      responseCode: 200,
      lastError: null,
      nextAttemptAt: null,
      webhookId: deliveries[1].id,
    });
    expect(listed.deliveries.nodes[0].durationMs).toEqual(expect.any(Number));
  });

  it('go only to endpoints subscribed to the event type, and only for changes after the endpoint was created', async () => {
    const before = await make.ticket(app, { business: acme });
    const comments = await endpoint({ events: [WebhookEventType.COMMENT_ADDED] });
    const created = await endpoint({ events: [WebhookEventType.TICKET_CREATED] });
    await make.comment(app, before, agent.user, 'A reply.', false);
    await make.ticket(app, { business: acme });
    await deliverAll();
    expect(receiver.at(comments.path).map((request) => verified(comments.secret, request).type)).toEqual([WebhookEventType.COMMENT_ADDED]);
    expect(receiver.at(created.path).map((request) => verified(created.secret, request).type)).toEqual([WebhookEventType.TICKET_CREATED]);
    // Caught up again: nothing new is decided or sent.
    await deliverAll();
    expect(receiver.at(comments.path)).toHaveLength(1);
    expect(await deliveriesTo(created.webhook.id)).toHaveLength(1);
  });

  it('testWebhook sends a PING; redeliverWebhookDelivery sends the same message again with the same webhook-id', async () => {
    const { path, secret, webhook } = await endpoint();
    const queued = ok(await app.gql(TestWebhookDocument, { input: { webhookId: webhook.id } }, admin.token)).testWebhook.delivery;
    expect(queued).toMatchObject({ eventType: 'PING', status: WebhookDeliveryStatus.PENDING, attempts: 0 });
    await app.app.deliveries.runDue();
    expect(verified(secret, receiver.at(path)[0])).toMatchObject({ type: 'PING', data: { webhook: { id: webhook.id } } });

    const again = ok(await app.gql(RedeliverWebhookDeliveryDocument, { input: { deliveryId: queued.id } }, admin.token)).redeliverWebhookDelivery.delivery;
    expect(again).toMatchObject({ webhookId: queued.webhookId, status: WebhookDeliveryStatus.PENDING, attempts: 1 });
    await app.app.deliveries.runDue();
    const got = receiver.at(path);
    expect(got.map((request) => request.headers['webhook-id'])).toEqual([queued.webhookId, queued.webhookId]);
    expect(got[1].body.equals(got[0].body)).toBe(true);
    expect(verified(secret, got[1]).type).toBe('PING');
    expect(await deliveriesTo(webhook.id)).toEqual([expect.objectContaining({ status: DeliveryStatus.DELIVERED, attempts: 2 })]);
  });
});

describe('internal content', () => {
  const INTERNAL_NOTE = 'internal-note-7f3a customer is a tough one';
  const INTERNAL_REASON = 'internal-reason-9c1d waiting for the legal team';
  const INTERNAL_NOTES = 'internal-resolution-2b8e refunded quietly';

  it('never reaches an endpoint without includeInternal, in any message; reaches one with it', async () => {
    const events = [WebhookEventType.COMMENT_ADDED, WebhookEventType.TICKET_STATUS_CHANGED, WebhookEventType.FOLLOW_UP_SCHEDULED];
    const outside = await endpoint({ events });
    const inside = await endpoint({ events, includeInternal: true });
    const ticket = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    const ticketId = ticket.globalId;
    ok(await app.gql(AddCommentDocument, { input: { ticketId, body: INTERNAL_NOTE, isInternal: true } }, agent.token));
    ok(await app.gql(AddCommentDocument, { input: { ticketId, body: 'A public reply.' } }, agent.token));
    ok(await app.gql(ChangeTicketStatusDocument, { input: { ticketId, status: TicketStatus.WAITING_ON_CUSTOMER, reason: INTERNAL_REASON } }, agent.token));
    ok(await app.gql(ChangeTicketStatusDocument, { input: { ticketId, status: TicketStatus.IN_PROGRESS } }, agent.token));
    ok(await app.gql(ResolveTicketDocument, { input: { ticketId, resolutionNotes: INTERNAL_NOTES } }, agent.token));
    await deliverAll();

    const outsideBodies = receiver.at(outside.path).map((request) => request.body);
    for (const secret of [INTERNAL_NOTE, INTERNAL_REASON, INTERNAL_NOTES]) {
      for (const body of outsideBodies) expect(body.includes(secret)).toBe(false);
    }
    const outsideMessages = messagesTo(outside.path, outside.secret);
    // The public reply and the three moves; none of the internal notes the moves wrote.
    expect(outsideMessages.map((message) => [message.type, message.data.entry.isInternal])).toEqual([
      [WebhookEventType.COMMENT_ADDED, false],
      [WebhookEventType.TICKET_STATUS_CHANGED, false],
      [WebhookEventType.TICKET_STATUS_CHANGED, false],
      [WebhookEventType.TICKET_STATUS_CHANGED, false],
    ]);
    expect(outsideMessages[1].data.entry).toMatchObject({ toStatus: TicketStatus.WAITING_ON_CUSTOMER, reason: null });
    expect(outsideMessages[3].data.ticket).toMatchObject({ status: TicketStatus.RESOLVED, resolutionNotes: null });
    // Not even a delivery row for what it may not see.
    expect(await deliveriesTo(outside.webhook.id)).toHaveLength(4);

    const insideText = receiver.at(inside.path).map((request) => request.body.toString()).join('\n');
    for (const secret of [INTERNAL_NOTE, INTERNAL_REASON, INTERNAL_NOTES]) expect(insideText).toContain(secret);
    const insideMessages = messagesTo(inside.path, inside.secret);
    expect(insideMessages.filter((message) => message.data.entry.isInternal).map((message) => message.data.entry.comment?.body)).toEqual([
      INTERNAL_NOTE,
      INTERNAL_REASON,
      INTERNAL_NOTES,
    ]);
    expect(insideMessages.find((message) => message.data.entry.toStatus === TicketStatus.WAITING_ON_CUSTOMER)!.data.entry.reason).toBe(INTERNAL_REASON);
  });
});

describe('retries and endpoint health', () => {
  it('retries after a 500 with the same webhook-id and the same body, about 5 s later', async () => {
    const { path, secret, webhook } = await endpoint();
    receiver.answerNext(path, 500);
    await make.ticket(app, { business: acme });
    await deliverAll();
    const [failed] = await deliveriesTo(webhook.id);
    expect(failed).toMatchObject({ status: DeliveryStatus.PENDING, attempts: 1, responseCode: 500 });
    expect(failed.lastError).toBe('HTTP 500: receiver says 500');
    const wait = failed.nextAttemptAt.getTime() - failed.lastAttemptAt!.getTime();
    expect(wait).toBeGreaterThanOrEqual(4000);
    expect(wait).toBeLessThanOrEqual(6000);
    expect((await endpointRow(webhook.id)).failingSince).toEqual(failed.lastAttemptAt);
    // Not due yet: nothing is sent.
    expect(await app.app.deliveries.runDue()).toBe(0);

    await dueNow(failed);
    await app.app.deliveries.runDue();
    const got = receiver.at(path);
    expect(got).toHaveLength(2);
    expect(got[1].headers['webhook-id']).toBe(got[0].headers['webhook-id']);
    expect(got[1].body.equals(got[0].body)).toBe(true);
    expect(verified(secret, got[1]).type).toBe(WebhookEventType.TICKET_CREATED);
    expect((await deliveriesTo(webhook.id))[0]).toMatchObject({ status: DeliveryStatus.DELIVERED, attempts: 2, responseCode: 200, lastError: null });
    // A success ends the failing streak.
    expect((await endpointRow(webhook.id)).failingSince).toBeNull();
  });

  it('counts a receiver that does not answer in time as a failure, to be retried', async () => {
    const { path, webhook } = await endpoint();
    receiver.answerNext(path, 'hang');
    await make.ticket(app, { business: acme });
    await deliverAll();
    expect(receiver.at(path)).toHaveLength(1);
    expect((await deliveriesTo(webhook.id))[0]).toMatchObject({
      status: DeliveryStatus.PENDING,
      attempts: 1,
      responseCode: null,
      lastError: `No answer within ${TIMEOUT_MS} ms.`,
    });
  });

  it('disables an endpoint at once when it answers 410: its waiting messages are cancelled and no more are made', async () => {
    const { path, webhook } = await endpoint();
    receiver.answerAlways(path, 410);
    await make.ticket(app, { business: acme });
    await make.ticket(app, { business: acme });
    await app.app.consumers.catchUp('webhooks');
    const [first, second] = await deliveriesTo(webhook.id);
    // Only the first is due: the second waits, as a retry would.
    await app.em().nativeUpdate(Delivery, { id: second.id }, { nextAttemptAt: new Date(Date.now() + 3600_000) });
    await app.app.deliveries.runDue();

    expect(receiver.at(path)).toHaveLength(1);
    expect(await deliveriesTo(webhook.id)).toEqual([
      expect.objectContaining({ id: first.id, status: DeliveryStatus.FAILED, attempts: 1, responseCode: 410 }),
      expect.objectContaining({ id: second.id, status: DeliveryStatus.CANCELLED, attempts: 0 }),
    ]);
    const listed = ok(await app.gql(WebhooksDocument, {}, admin.token)).webhooks.nodes.find((node) => node.id === webhook.id)!;
    expect(listed).toMatchObject({ enabled: false, disabledReason: WebhookDisabledReason.GONE });
    expect(await disabledNotices(webhook.id)).toEqual([WebhookDisabledReason.GONE]);

    await make.ticket(app, { business: acme });
    await deliverAll();
    expect(await deliveriesTo(webhook.id)).toHaveLength(2);
    expect(receiver.at(path)).toHaveLength(1);
    expect(failure(await app.gql(TestWebhookDocument, { input: { webhookId: webhook.id } }, admin.token)).code).toBe('CONFLICT');

    // Enabled again by an admin, it receives the next change.
    ok(await app.gql(UpdateWebhookDocument, { input: { webhookId: webhook.id, enabled: true } }, admin.token));
    receiver.answerAlways(path, 200);
    await make.ticket(app, { business: acme });
    await deliverAll();
    expect(receiver.at(path)).toHaveLength(2);
  });

  it('disables an endpoint whose attempts have all failed for five days since its last success', async () => {
    const { path, webhook } = await endpoint();
    receiver.answerAlways(path, 503);
    const failingSince = (days: number) =>
      app.em().nativeUpdate(WebhookEndpoint, { id: keyOf(webhook.id) }, { failingSince: new Date(Date.now() - days * 24 * 3600_000) });

    await make.ticket(app, { business: acme });
    await deliverAll();
    const [first] = await deliveriesTo(webhook.id);
    expect((await endpointRow(webhook.id)).failingSince).toEqual(first.lastAttemptAt);

    // Four days and 23 hours of failures: one more failure, still enabled.
    await failingSince(4 + 23 / 24);
    await dueNow(first);
    await app.app.deliveries.runDue();
    expect((await endpointRow(webhook.id)).disabledAt).toBeNull();
    expect(await disabledNotices(webhook.id)).toEqual([]);

    // Five days and a minute: the next failure disables it, and the waiting messages go with it.
    await make.ticket(app, { business: acme });
    await app.app.consumers.catchUp('webhooks');
    await failingSince(5 + 1 / 1440);
    await dueNow(first);
    const [, second] = await deliveriesTo(webhook.id);
    await app.em().nativeUpdate(Delivery, { id: second.id }, { nextAttemptAt: new Date(Date.now() + 3600_000) });
    await app.app.deliveries.runDue();
    const row = await endpointRow(webhook.id);
    expect(row).toMatchObject({ disabledReason: WebhookDisabledReason.FAILING });
    expect(await disabledNotices(webhook.id)).toEqual([WebhookDisabledReason.FAILING]);
    expect(row.disabledAt).toBeInstanceOf(Date);
    expect(await deliveriesTo(webhook.id)).toEqual([
      expect.objectContaining({ id: first.id, status: DeliveryStatus.FAILED, attempts: 3, responseCode: 503 }),
      expect.objectContaining({ id: second.id, status: DeliveryStatus.CANCELLED }),
    ]);
  });
});

describe('secret rotation', () => {
  it('signs with both secrets during the overlap, and with the new one alone after a rotation without overlap', async () => {
    const { path, secret: first, webhook } = await endpoint();
    const rotated = ok(await app.gql(RotateWebhookSecretDocument, { input: { webhookId: webhook.id, overlapSeconds: 3600 } }, admin.token)).rotateWebhookSecret;
    const second = rotated.secret;
    expect(second).not.toBe(first);
    expect(new Date(rotated.webhook.previousSecretExpiresAt!).getTime()).toBeGreaterThan(Date.now() + 3500_000);
    await make.ticket(app, { business: acme });
    await deliverAll();
    const [during] = receiver.at(path);
    expect(during.headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verified(first, during).type).toBe(WebhookEventType.TICKET_CREATED);
    expect(verified(second, during).type).toBe(WebhookEventType.TICKET_CREATED);

    const third = ok(await app.gql(RotateWebhookSecretDocument, { input: { webhookId: webhook.id, overlapSeconds: 0 } }, admin.token)).rotateWebhookSecret.secret;
    await make.ticket(app, { business: acme });
    await deliverAll();
    const after = receiver.at(path)[1];
    expect(after.headers['webhook-signature'].split(' ')).toHaveLength(1);
    expect(verified(third, after).type).toBe(WebhookEventType.TICKET_CREATED);
    expect(() => verified(second, after)).toThrow('No matching signature found');
    expect(() => verified(first, after)).toThrow('No matching signature found');
  });
});

describe('administration', () => {
  it('lets an admin change, disable and delete an endpoint; a deleted endpoint\'s waiting messages are cancelled', async () => {
    const { path, webhook } = await endpoint();
    const changed = ok(
      await app.gql(
        UpdateWebhookDocument,
        { input: { webhookId: webhook.id, events: [WebhookEventType.SLA_BREACHED], description: 'Pager', includeInternal: true } },
        admin.token,
      ),
    ).updateWebhook.webhook;
    expect(changed).toMatchObject({ events: [WebhookEventType.SLA_BREACHED], description: 'Pager', includeInternal: true, url: receiver.url(path) });
    const disabled = ok(await app.gql(UpdateWebhookDocument, { input: { webhookId: webhook.id, enabled: false } }, admin.token)).updateWebhook.webhook;
    expect(disabled).toMatchObject({ enabled: false, disabledReason: WebhookDisabledReason.BY_ADMIN });

    ok(await app.gql(UpdateWebhookDocument, { input: { webhookId: webhook.id, enabled: true } }, admin.token));
    const ping = ok(await app.gql(TestWebhookDocument, { input: { webhookId: webhook.id } }, admin.token)).testWebhook.delivery;
    expect(ok(await app.gql(DeleteWebhookDocument, { input: { webhookId: webhook.id } }, admin.token)).deleteWebhook.deletedWebhookId).toBe(webhook.id);
    expect(await app.em().findOne(Delivery, { id: ping.webhookId })).toMatchObject({ status: DeliveryStatus.CANCELLED });
    await app.app.deliveries.runDue();
    expect(receiver.at(path)).toHaveLength(0);
    expect(ok(await app.gql(WebhooksDocument, {}, admin.token)).webhooks.nodes.map((node) => node.id)).not.toContain(webhook.id);
    expect(failure(await app.gql(RedeliverWebhookDeliveryDocument, { input: { deliveryId: ping.id } }, admin.token)).code).toBe('NOT_FOUND');
    const audit = await app.em().find(AuditEntry, { targetId: keyOf(webhook.id) }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    expect(audit.map((entry) => [entry.action, entry.actorId, entry.targetType])).toEqual(
      ['CREATE_WEBHOOK', 'UPDATE_WEBHOOK', 'UPDATE_WEBHOOK', 'UPDATE_WEBHOOK', 'DELETE_WEBHOOK'].map((action) => [action, admin.user.id, 'WebhookEndpoint']),
    );
    expect(audit[2].details).toEqual({ enabled: false });
  });

  it('stops messages composed with internal content once the endpoint no longer receives it', async () => {
    const { path, webhook } = await endpoint({ includeInternal: true });
    await make.ticket(app, { business: acme });
    await deliverAll();
    await make.ticket(app, { business: acme });
    await app.app.consumers.catchUp('webhooks');
    const [sent, waiting] = await deliveriesTo(webhook.id);
    expect([sent.status, waiting.status]).toEqual([DeliveryStatus.DELIVERED, DeliveryStatus.PENDING]);

    ok(await app.gql(UpdateWebhookDocument, { input: { webhookId: webhook.id, includeInternal: false } }, admin.token));
    expect(await app.em().findOneOrFail(Delivery, { id: waiting.id })).toMatchObject({ status: DeliveryStatus.CANCELLED });
    const redeliver = await app.gql(RedeliverWebhookDeliveryDocument, { input: { deliveryId: toGlobalId('WebhookDelivery', sent.id) } }, admin.token);
    expect(failure(redeliver).code).toBe('CONFLICT');
    await app.app.deliveries.runDue();
    expect(receiver.at(path)).toHaveLength(1);
  });

  it('lists endpoints with their deliveries in the same statements for one endpoint as for six', async () => {
    const statementsFor = async (endpoints: number) => {
      for (let i = 0; i < endpoints; i++) {
        const { webhook } = await endpoint();
        ok(await app.gql(TestWebhookDocument, { input: { webhookId: webhook.id } }, admin.token));
      }
      const { result, statements } = await app.countStatements(() => app.gql(WebhooksDocument, { deliveries: 5 }, admin.token));
      const nodes = ok(result).webhooks.nodes;
      expect(nodes).toHaveLength(endpoints);
      expect(nodes.every((node) => node.deliveries.totalCount === 1 && node.deliveries.nodes[0].eventType === 'PING')).toBe(true);
      await app.em().execute(`update delivery set status = 'CANCELLED' where status = 'PENDING'; delete from webhook_endpoint`);
      return statements;
    };
    expect(await statementsFor(6)).toBe(await statementsFor(1));
  });

  it('pages an endpoint’s deliveries by walking an index from the newest, not by sorting all of them', async () => {
    const { webhook } = await endpoint();
    ok(await app.gql(TestWebhookDocument, { input: { webhookId: webhook.id } }, admin.token));
    const statements = await statementsSent(app, async () => ok(await app.gql(WebhooksDocument, { deliveries: 5 }, admin.token)));
    const page = statements.find((s) => s.sql.includes('from delivery c') && s.sql.includes('order by c.id desc'))!;
    const plan = await planOf(app, page);
    expect(plan).toContain('delivery_webhook_page_idx');
    expect(plan).not.toContain('Sort');
    await app.em().execute(`update delivery set status = 'CANCELLED' where status = 'PENDING'; delete from webhook_endpoint`);
  });

  it('refuses every webhook operation to customers, agents and API keys (FORBIDDEN) and to anonymous callers (UNAUTHENTICATED), writing nothing', async () => {
    const { webhook } = await endpoint();
    const ping = ok(await app.gql(TestWebhookDocument, { input: { webhookId: webhook.id } }, admin.token)).testWebhook.delivery;
    const operations = [
      () => [WebhooksDocument, {}] as const,
      () => [CreateWebhookDocument, { input: { url: receiver.url('/x'), events: [WebhookEventType.TICKET_CREATED], includeInternal: true } }] as const,
      () => [UpdateWebhookDocument, { input: { webhookId: webhook.id, includeInternal: true } }] as const,
      () => [DeleteWebhookDocument, { input: { webhookId: webhook.id } }] as const,
      () => [TestWebhookDocument, { input: { webhookId: webhook.id } }] as const,
      () => [RotateWebhookSecretDocument, { input: { webhookId: webhook.id, overlapSeconds: 60 } }] as const,
      () => [RedeliverWebhookDeliveryDocument, { input: { deliveryId: ping.id } }] as const,
    ];
    const callers: [string, string | undefined, string][] = [
      ['customer', customer.token, 'FORBIDDEN'],
      ['agent', agent.token, 'FORBIDDEN'],
      ['API key with every scope', fullKey, 'FORBIDDEN'],
      ['API key with REPORTS_READ only', reportsKey, 'FORBIDDEN'],
      ['anonymous', undefined, 'UNAUTHENTICATED'],
    ];
    await writesNothing(app, WEBHOOK_TABLES, async () => {
      for (const [who, token, code] of callers) {
        for (const [index, operation] of operations.entries()) {
          const [document, variables] = operation();
          const res = await app.gql(document as never, variables as never, token);
          expect({ who, operation: index, code: res.errors?.[0]?.extensions?.code }).toEqual({ who, operation: index, code });
          expect(res.data === null || res.data === undefined || Object.values(res.data as object).every((value) => value === null)).toBe(true);
        }
      }
    });
  });

  it('answers bad input with BAD_USER_INPUT on the field at fault and unknown ids with NOT_FOUND, writing nothing', async () => {
    const { webhook } = await endpoint();
    const unknownWebhook = toGlobalId('WebhookEndpoint', randomUUID());
    const base = { url: receiver.url('/ok'), events: [WebhookEventType.TICKET_CREATED], includeInternal: false };
    const cases: [() => Promise<GraphQLResponse<unknown>>, string, string | undefined][] = [
      [() => app.gql(CreateWebhookDocument, { input: { ...base, url: 'not a url' } }, admin.token), 'BAD_USER_INPUT', 'url'],
      [() => app.gql(CreateWebhookDocument, { input: { ...base, url: 'ftp://files.example.com/hook' } }, admin.token), 'BAD_USER_INPUT', 'url'],
      [() => app.gql(CreateWebhookDocument, { input: { ...base, url: 'https://user:pass@example.com/hook' } }, admin.token), 'BAD_USER_INPUT', 'url'],
      [() => app.gql(CreateWebhookDocument, { input: { ...base, url: '   ' } }, admin.token), 'BAD_USER_INPUT', 'url'],
      [() => app.gql(CreateWebhookDocument, { input: { ...base, events: [] } }, admin.token), 'BAD_USER_INPUT', 'events'],
      [() => app.gql(CreateWebhookDocument, { input: { ...base, description: 'x'.repeat(501) } }, admin.token), 'BAD_USER_INPUT', 'description'],
      [() => app.gql(UpdateWebhookDocument, { input: { webhookId: unknownWebhook, description: 'x' } }, admin.token), 'NOT_FOUND', undefined],
      [() => app.gql(UpdateWebhookDocument, { input: { webhookId: 'nonsense', description: 'x' } }, admin.token), 'BAD_USER_INPUT', 'webhookId'],
      [() => app.gql(UpdateWebhookDocument, { input: { webhookId: webhook.id, events: [] } }, admin.token), 'BAD_USER_INPUT', 'events'],
      [() => app.gql(UpdateWebhookDocument, { input: { webhookId: webhook.id, url: 'mailto:x@example.com' } }, admin.token), 'BAD_USER_INPUT', 'url'],
      [() => app.gql(DeleteWebhookDocument, { input: { webhookId: unknownWebhook } }, admin.token), 'NOT_FOUND', undefined],
      [() => app.gql(TestWebhookDocument, { input: { webhookId: unknownWebhook } }, admin.token), 'NOT_FOUND', undefined],
      [() => app.gql(RotateWebhookSecretDocument, { input: { webhookId: webhook.id, overlapSeconds: -1 } }, admin.token), 'BAD_USER_INPUT', 'overlapSeconds'],
      [() => app.gql(RotateWebhookSecretDocument, { input: { webhookId: webhook.id, overlapSeconds: 604_801 } }, admin.token), 'BAD_USER_INPUT', 'overlapSeconds'],
      [() => app.gql(RotateWebhookSecretDocument, { input: { webhookId: unknownWebhook, overlapSeconds: 60 } }, admin.token), 'NOT_FOUND', undefined],
      [
        () => app.gql(RedeliverWebhookDeliveryDocument, { input: { deliveryId: toGlobalId('WebhookDelivery', randomUUID()) } }, admin.token),
        'NOT_FOUND',
        undefined,
      ],
      [() => app.gql(RedeliverWebhookDeliveryDocument, { input: { deliveryId: webhook.id } }, admin.token), 'BAD_USER_INPUT', 'deliveryId'],
      [() => app.gql(WebhooksDocument, { first: 101 }, admin.token), 'BAD_USER_INPUT', 'first'],
    ];
    await writesNothing(app, WEBHOOK_TABLES, async () => {
      for (const [run, code, field] of cases) expect(failure(await run())).toEqual({ code, field });
    });
  });
});

describe('private addresses (WEBHOOK_ALLOW_PRIVATE unset)', () => {
  let strict: TestApp;
  beforeAll(async () => {
    strict = await startTestApp({}, app);
  });
  afterAll(() => strict.stop());

  it('refuses URLs that resolve to loopback, private, link-local, unique-local, multicast or unspecified addresses', async () => {
    const urls = [
      'http://127.0.0.1:8080/hook',
      'http://localhost/hook',
      'http://10.1.2.3/hook',
      'http://172.16.0.1/hook',
      'http://192.168.1.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'http://0.0.0.0/hook',
      'http://224.0.0.1/hook',
      'http://[::1]/hook',
      'http://[::]/hook',
      'http://[fe80::1]/hook',
      'http://[fd12:3456::1]/hook',
      'http://[ff02::1]/hook',
      'http://[::ffff:10.0.0.1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
    ];
    const { webhook } = await endpoint();
    await writesNothing(app, WEBHOOK_TABLES, async () => {
      for (const url of urls) {
        expect([url, failure(await strict.gql(CreateWebhookDocument, { input: { url, events: [WebhookEventType.TICKET_CREATED], includeInternal: false } }, admin.token))]).toEqual([
          url,
          { code: 'BAD_USER_INPUT', field: 'url' },
        ]);
      }
      expect(failure(await strict.gql(UpdateWebhookDocument, { input: { webhookId: webhook.id, url: 'http://127.0.0.1/other' } }, admin.token))).toEqual({
        code: 'BAD_USER_INPUT',
        field: 'url',
      });
    });
  });

  it('checks the address again when sending: an endpoint pointing at a private address gets nothing', async () => {
    // Saved where private addresses are allowed (as if its name resolved to a public address then).
    const { path, webhook } = await endpoint();
    await make.ticket(app, { business: acme });
    await app.app.consumers.catchUp('webhooks');
    await strict.app.deliveries.runDue();
    expect(receiver.at(path)).toHaveLength(0);
    const [delivery] = await deliveriesTo(webhook.id);
    expect(delivery).toMatchObject({ status: DeliveryStatus.PENDING, attempts: 1, responseCode: null });
    expect(delivery.lastError).toContain('which is not a public address');
  });
});
