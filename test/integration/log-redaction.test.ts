import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { ChangePasswordDocument, CreateApiKeyDocument, CreateWebhookDocument, LoginDocument, MeDocument } from '../__generated__/graphql';
import { createLogger } from '../../src/logger';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../setup/test-app';
import { startWebhookReceiver, type WebhookReceiver } from '../setup/webhook-receiver';
import { WebhookEventType } from '../__generated__/graphql';

/**
 * A full scenario with the log at debug level captured: login (and a failed one), an API key made and
 * used, a webhook with its secret sent a message, an inbound email, a password change. The log must
 * name each request and its operation, and hold none of the secrets used.
 */

const INBOUND_SECRET = `inbound-${randomBytes(12).toString('hex')}`;
const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    done();
  },
});
const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

let app: TestApp;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  app = await startTestApp({ INBOUND_EMAIL_SECRET: INBOUND_SECRET, WEBHOOK_ALLOW_PRIVATE: 'true' }, undefined, createLogger('debug', sink));
});
afterAll(async () => {
  await app.stop();
  await receiver.close();
});

async function post(query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { requestId: response.headers.get('x-request-id'), body: (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] } };
}

it('logs every request with its id and operation, and none of the secrets of a full scenario', async () => {
  const admin = await make.staffUser(app, Role.ADMIN);
  const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;
  const newPassword = `new-${randomBytes(12).toString('hex')}`;
  const mailBody = `The turbo encabulator ${randomBytes(8).toString('hex')} stopped humming`;

  const refused = await app.gql(LoginDocument, { input: { email: admin.user.email, password: wrongPassword } });
  expect(refused.errors?.[0]?.extensions?.code).toBeDefined();
  const login = await app.gql(LoginDocument, { input: { email: admin.user.email, password: make.PASSWORD } });
  const token = login.data!.login.token;

  const created = await app.gql(CreateApiKeyDocument, { input: { name: 'sync', scopes: [ApiScope.TICKETS_READ] as never } }, token);
  const apiKey = created.data!.createApiKey.key;
  expect((await app.gql(MeDocument, {}, apiKey)).errors).toBeUndefined();

  const webhook = await app.gql(CreateWebhookDocument, { input: { url: receiver.url('/hook'), events: [WebhookEventType.TICKET_CREATED] } }, token);
  const webhookSecret = webhook.data!.createWebhook.secret;

  const email = [
    'From: Erin Walsh <erin.walsh@bakery.example>',
    'To: support@ticketgraph.example',
    'Subject: The machine broke',
    `Message-ID: <${randomBytes(6).toString('hex')}@bakery.example>`,
    'Date: Mon, 23 Nov 2026 11:31:02 +0100',
    'Content-Type: text/plain; charset="UTF-8"',
    '',
    mailBody,
    '',
  ].join('\r\n');
  const inbound = await fetch(app.url.replace(/\/graphql$/, '/inbound/email'), {
    method: 'POST',
    headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${INBOUND_SECRET}` },
    body: email,
  });
  expect(inbound.status).toBeLessThan(300);
  await app.app.consumers.catchUp('webhooks');
  await app.app.consumers.catchUp('customer-mail');
  await app.app.deliveries.runDue();
  expect(receiver.at('/hook').length).toBeGreaterThan(0);

  const changed = await app.gql(ChangePasswordDocument, { input: { currentPassword: make.PASSWORD, newPassword } }, token);
  expect(changed.errors).toBeUndefined();

  // A request id of the caller's is kept; one that could forge a log line is replaced.
  const traced = await post('query Traced { __typename }', {}, { 'x-request-id': 'trace-abc.123' });
  expect(traced.requestId).toBe('trace-abc.123');
  const forged = await post('query Forged { __typename }', {}, { 'x-request-id': 'x"}{"level":60' });
  expect(forged.requestId).toMatch(/^[0-9a-f-]{36}$/);

  const log = lines.join('\n');
  for (const secret of [make.PASSWORD, wrongPassword, newPassword, token, apiKey, webhookSecret, INBOUND_SECRET, TEST_JWT_SECRET, mailBody, admin.token]) {
    expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
  }
  const requests = entries().filter((entry) => entry.msg === 'graphql request');
  expect(requests.find((entry) => entry.requestId === 'trace-abc.123')).toMatchObject({ operationName: 'Traced', operationType: 'query' });
  expect(requests.find((entry) => entry.requestId === forged.requestId)).toMatchObject({ operationName: 'Forged' });
  expect(requests.filter((entry) => entry.operationName === 'Login')).toHaveLength(2);
  for (const name of ['CreateApiKey', 'CreateWebhook', 'ChangePassword']) {
    expect(requests.find((entry) => entry.operationName === name)).toMatchObject({ operationType: 'mutation', requestId: expect.any(String) });
  }
});
