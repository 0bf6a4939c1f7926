import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { CreateWebhookDocument, WebhookEventType } from '../__generated__/graphql';
import { Delivery, DeliveryStatus } from '../../src/modules/deliveries/delivery.entity';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../setup/test-app';
import { startWebhookReceiver, type WebhookReceiver } from '../setup/webhook-receiver';

let receiver: WebhookReceiver;
let app: TestApp;
let dataDir: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  app = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true' });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tg-webhook-crash-'));
});
afterAll(async () => {
  await app.stop();
  await receiver.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A production server (src/main.ts) in a process of its own, running the consumers and the deliveries. */
async function startServer(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', path.join(__dirname, '../setup/swc-register.js'), path.join(__dirname, '../../src/main.ts')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: app.databaseUrl,
      PORT: '0',
      JWT_SECRET: TEST_JWT_SECRET,
      DATA_DIR: dataDir,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      JOB_INTERVAL_SECONDS: '0',
      DELIVERY_LEASE_SECONDS: '20',
      DELIVERY_CONCURRENCY: '8',
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ticketgraph is running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the server ended by itself (${code})`)));
  });
  return child;
}

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 50));
}

it('delivers every webhook after a server is killed mid-delivery; the only repeats are the attempts the kill cut off, with the same webhook-id', async () => {
  const admin = await make.staffUser(app, Role.ADMIN);
  const business = await make.business(app);
  const created = await app.gql(
    CreateWebhookDocument,
    { input: { url: receiver.url('/crash'), events: [WebhookEventType.TICKET_CREATED], includeInternal: false } },
    admin.token,
  );
  expect(created.errors).toBeUndefined();
  const { secret } = created.data!.createWebhook;
  const tickets = 30;
  for (let i = 0; i < tickets; i++) await make.ticket(app, { business });

  // The receiver takes the first eight requests and answers none: the server dies with them in flight.
  const cutOff = 8;
  receiver.answerNext('/crash', ...Array.from({ length: cutOff }, () => 'hang' as const));
  const first = await startServer();
  await until(() => receiver.at('/crash').length === cutOff);
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  expect(receiver.at('/crash')).toHaveLength(cutOff);

  const second = await startServer();
  try {
    await until(async () => (await app.em().count(Delivery, { channel: 'WEBHOOK', status: DeliveryStatus.DELIVERED })) === tickets);
  } finally {
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
  }

  const got = receiver.at('/crash');
  const verifier = new Webhook(secret);
  for (const request of got) expect(verifier.verify(request.body.toString(), request.headers)).toMatchObject({ type: 'TICKET_CREATED' });
  const ids = got.map((request) => request.headers['webhook-id']);
  const deliveries = await app.em().find(Delivery, { channel: 'WEBHOOK' });
  expect(new Set(ids)).toEqual(new Set(deliveries.map((delivery) => delivery.id)));
  expect(ids.length - tickets).toBe(cutOff);
  // Each repeat is a message whose first attempt was cut off, sent again with the same webhook-id.
  const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
  expect(new Set(repeated)).toEqual(new Set(ids.slice(0, cutOff)));
  expect(repeated).toHaveLength(cutOff);
}, 120_000);
