import { AddCommentDocument, CreateWebhookDocument, OnCommentAddedDocument, WebhookEventType } from '../__generated__/graphql';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { sample, scrapeMetrics } from '../setup/metrics';
import { postQuery } from '../setup/raw-request';
import { startTestApp, type TestApp } from '../setup/test-app';
import { startWebhookReceiver, type WebhookReceiver } from '../setup/webhook-receiver';
import { subscribe, untilLive, wsClient } from '../setup/ws-client';

/** /readyz and /metrics: who may read them, what they say, and metrics that move with the work done. */

const TOKEN = 'metrics-token-0123456789';
let app: TestApp;
let receiver: WebhookReceiver;
let admin: make.Staff;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  app = await startTestApp({ METRICS_TOKEN: TOKEN, REDIS_URL: 'redis://127.0.0.1:6379', WEBHOOK_ALLOW_PRIVATE: 'true' });
  admin = await make.staffUser(app, Role.ADMIN);
});
afterAll(async () => {
  await app.stop();
  await receiver.close();
});

const base = (target: TestApp) => target.url.replace(/\/graphql$/, '');

async function scrape(): Promise<string> {
  const { status, contentType, text } = await scrapeMetrics(app, TOKEN);
  expect(status).toBe(200);
  expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  return text;
}

describe('/readyz', () => {
  it('is 200 with each check when the database, its migrations and Redis are there', async () => {
    const response = await fetch(`${base(app)}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', redis: 'ok' } });
  });

  it('is 503 naming a migration the database has not applied', async () => {
    const em = app.em();
    const [last] = await em.getConnection().execute<{ id: number; name: string; executed_at: Date }[]>('select * from mikro_orm_migrations order by id desc limit 1');
    await em.getConnection().execute('delete from mikro_orm_migrations where id = ?', [last.id]);
    try {
      const response = await fetch(`${base(app)}/readyz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { status: string; checks: Record<string, string> };
      expect(body.status).toBe('not ready');
      expect(body.checks.migrations).toBe(`not applied: ${last.name.replace(/\.[jt]s$/, '')}`);
      expect(body.checks.database).toBe('ok');
    } finally {
      await em.getConnection().execute('insert into mikro_orm_migrations (id, name, executed_at) values (?, ?, ?)', [last.id, last.name, last.executed_at]);
    }
  });

  it('leaves Redis out when none is configured', async () => {
    const plain = await startTestApp();
    try {
      expect(await (await fetch(`${base(plain)}/readyz`)).json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
    } finally {
      await plain.stop();
    }
  });
});

describe('/metrics', () => {
  it('is not served without METRICS_TOKEN or METRICS_PORT', async () => {
    const plain = await startTestApp();
    try {
      expect((await fetch(`${base(plain)}/metrics`)).status).toBe(404);
    } finally {
      await plain.stop();
    }
  });

  it('answers 401 without the bearer token, or with another', async () => {
    expect((await fetch(`${base(app)}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${base(app)}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain('ticketgraph_');
  });

  it('counts requests by operation, errors by code and the cost of answered operations', async () => {
    const before = await scrape();
    const durationCount = 'ticketgraph_graphql_request_duration_seconds_count';
    const counted = 'operation_name="MetricsProbe",operation_type="query"';
    for (let i = 0; i < 3; i += 1) expect((await postQuery(app.url, 'query MetricsProbe { __typename }')).status).toBe(200);
    const malformed = await postQuery(app.url, 'query MalformedId { ticket(id: "not-an-id") { id } }', { token: admin.token });
    expect(malformed.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const after = await scrape();

    expect(sample(after, durationCount, counted) - sample(before, durationCount, counted)).toBe(3);
    expect(sample(after, 'ticketgraph_graphql_errors_total', 'code="BAD_USER_INPUT"') - sample(before, 'ticketgraph_graphql_errors_total', 'code="BAD_USER_INPUT"')).toBe(1);
    // Three answered queries; the one with an error is not counted.
    expect(sample(after, 'ticketgraph_graphql_operation_cost_count', 'operation_type="query"') - sample(before, 'ticketgraph_graphql_operation_cost_count', 'operation_type="query"')).toBe(3);
    expect(after).toContain('# TYPE ticketgraph_graphql_request_duration_seconds histogram');
  });

  it('shows WebSocket connections and subscriptions while they are open', async () => {
    const ticket = await make.ticket(app, { business: await make.business(app) });
    const client = wsClient(app.url, admin.token);
    const subscription = subscribe(client, OnCommentAddedDocument, { ticketId: ticket.globalId });
    const probe = subscribe(client, OnCommentAddedDocument, { ticketId: ticket.globalId });
    await untilLive(probe, () => app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'ping' } }, admin.token));
    const open = await scrape();
    expect(sample(open, 'ticketgraph_websocket_connections')).toBe(1);
    expect(sample(open, 'ticketgraph_subscriptions_active')).toBe(1);
    subscription.stop();
    await client.dispose();
    // The server hears the close a moment later: wait for it (a minute at most; a loaded machine is slow).
    for (const deadline = Date.now() + 60_000; Date.now() < deadline && sample(await scrape(), 'ticketgraph_websocket_connections') > 0; ) await new Promise((resolve) => setTimeout(resolve, 100));
    const closed = await scrape();
    expect(sample(closed, 'ticketgraph_websocket_connections')).toBe(0);
    expect(sample(closed, 'ticketgraph_subscriptions_active')).toBe(0);
  });

  it('shows each feed consumer falling behind and catching up, and delivery outcomes', async () => {
    await app.gql(CreateWebhookDocument, { input: { url: receiver.url('/metrics-hook'), events: [WebhookEventType.COMMENT_ADDED] } }, admin.token);
    await app.app.consumers.catchUp('webhooks');
    expect(sample(await scrape(), 'ticketgraph_feed_consumer_lag', 'consumer="webhooks"')).toBe(0);

    const ticket = await make.ticket(app, { business: await make.business(app) });
    const added = await app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'counted' } }, admin.token);
    expect(added.errors).toBeUndefined();
    expect(sample(await scrape(), 'ticketgraph_feed_consumer_lag', 'consumer="webhooks"')).toBeGreaterThan(0);

    const delivered = 'channel="WEBHOOK",outcome="delivered"';
    const before = sample(await scrape(), 'ticketgraph_delivery_attempts_total', delivered);
    await app.app.consumers.catchUp('webhooks');
    await app.app.deliveries.runDue();
    const after = await scrape();
    expect(sample(after, 'ticketgraph_feed_consumer_lag', 'consumer="webhooks"')).toBe(0);
    expect(sample(after, 'ticketgraph_delivery_attempts_total', delivered) - before).toBe(receiver.at('/metrics-hook').length);
    expect(receiver.at('/metrics-hook').length).toBeGreaterThan(0);
  });

  it('shows the database pool in use and waiting', async () => {
    const em = app.app.database.orm.em.fork();
    await em.begin();
    try {
      const busy = await scrape();
      expect(sample(busy, 'ticketgraph_db_pool_connections_in_use')).toBeGreaterThanOrEqual(1);
      expect(busy).toContain('ticketgraph_db_pool_waiting 0');
    } finally {
      await em.rollback();
    }
  });

  it('is served on METRICS_PORT alone when that is set, not on the API port', async () => {
    const separate = await startTestApp({ METRICS_PORT: '0' });
    try {
      expect((await fetch(`${base(separate)}/metrics`)).status).toBe(404);
      const response = await fetch(`http://127.0.0.1:${separate.app.metricsPort}/metrics`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('ticketgraph_graphql_request_duration_seconds');
    } finally {
      await separate.stop();
    }
  });
});
