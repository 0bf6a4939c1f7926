import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { CreateTicketDocument, CreateWebhookDocument, WebhookEventType } from '../__generated__/graphql';
import { Delivery, DeliveryStatus } from '../../src/modules/deliveries/delivery.entity';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startSmtpSink, type SmtpSink } from '../setup/smtp-sink';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../setup/test-app';
import { startWebhookReceiver, type WebhookReceiver } from '../setup/webhook-receiver';

let smtp: SmtpSink;
let receiver: WebhookReceiver;
let app: TestApp;
let dataDir: string;

beforeAll(async () => {
  smtp = await startSmtpSink();
  receiver = await startWebhookReceiver();
  app = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true' });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tg-delivery-crash-'));
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
  await receiver.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The whole server in a process of its own on the test's database (test/setup/app-child.ts), consumers and deliveries on. */
async function server(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', path.join(__dirname, '../setup/swc-register.js'), path.join(__dirname, '../setup/app-child.ts')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: app.databaseUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      PORT: '0',
      DATA_DIR: dataDir,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Help Desk <help@ticketgraph.test>',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      FEED_CONSUMERS: 'true',
      FEED_LEASE_SECONDS: '1',
      DELIVERY_CONCURRENCY: '2',
      DELIVERY_LEASE_SECONDS: '20',
      JOB_INTERVAL_SECONDS: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('started')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the server's process ended by itself (${code})`)));
  });
  return child;
}

const ended = (child: ChildProcess) => new Promise((resolve) => child.once('exit', resolve));

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 50));
}

it('delivers every mail and webhook when a server is killed mid-delivery and restarted; the only repeats are the attempts cut off, with the same ids', async () => {
  const admin = await make.staffUser(app, Role.ADMIN);
  const created = await app.gql(CreateWebhookDocument, { input: { url: receiver.url('/crash'), events: [WebhookEventType.TICKET_CREATED], includeInternal: false } }, admin.token);
  expect(created.errors).toBeUndefined();
  const { secret } = created.data!.createWebhook;
  const customer = await make.customer(app, await make.business(app));
  const COUNT = 12;
  for (let i = 0; i < COUNT; i += 1) {
    const ticket = await app.gql(CreateTicketDocument, { input: { title: `Crash ${i}`, description: 'x', contactId: customer.contact.globalId } }, admin.token);
    expect(ticket.errors).toBeUndefined();
  }

  // Each receiver takes one message and never answers it: the server dies with both in flight.
  receiver.answerNext('/crash', 'hang');
  const heldMail = smtp.holdNext();
  const first = await server();
  const inFlightMail = (await heldMail).parsed.messageId!;
  await until(() => receiver.at('/crash').length >= 1);
  first.kill('SIGKILL');
  await ended(first);
  const inFlightHook = receiver.at('/crash')[0].headers['webhook-id'];

  // Cut off: what reached a receiver but was not recorded as delivered when the process died (the
  // held ones, and any other whose answer came in the last moment).
  const recorded = await app.em().find(Delivery, { status: DeliveryStatus.DELIVERED });
  const messageIdOf = (delivery: Delivery) => (delivery.payload as { messageId: string }).messageId;
  const recordedMails = new Set(recorded.filter((d) => d.channel === 'MAIL').map(messageIdOf));
  const recordedHooks = new Set(recorded.filter((d) => d.channel === 'WEBHOOK').map((d) => d.id));
  const cutOffMails = new Set(smtp.received.map((mail) => mail.parsed.messageId!).filter((id) => !recordedMails.has(id)));
  const cutOffHooks = new Set(receiver.at('/crash').map((request) => request.headers['webhook-id']).filter((id) => !recordedHooks.has(id)));
  expect(cutOffMails).toContain(inFlightMail);
  expect(cutOffHooks).toContain(inFlightHook);

  // Restarted: it sends the rest, and again what was cut off once the killed one's claims run out.
  const restarted = await server();
  try {
    await until(async () => (await app.em().count(Delivery, { status: DeliveryStatus.DELIVERED })) === 2 * COUNT);
  } finally {
    restarted.kill('SIGTERM');
    await ended(restarted);
  }

  const deliveries = await app.em().find(Delivery, {});
  const mails = deliveries.filter((delivery) => delivery.channel === 'MAIL');
  const hooks = deliveries.filter((delivery) => delivery.channel === 'WEBHOOK');
  expect([mails.length, hooks.length]).toEqual([COUNT, COUNT]);
  const repeats = (ids: string[]) => new Set(ids.filter((id, index) => ids.indexOf(id) !== index));

  // Every decided mail arrived; the only ones that arrived twice are those cut off, each under its Message-ID.
  const received = smtp.received.map((mail) => mail.parsed.messageId!);
  expect([...new Set(received)].sort()).toEqual(mails.map(messageIdOf).sort());
  expect(repeats(received)).toEqual(cutOffMails);
  expect(received).toHaveLength(COUNT + cutOffMails.size);

  // Every webhook arrived, signed; the only ones that arrived twice are those cut off, each under its webhook-id.
  const verifier = new Webhook(secret);
  const got = receiver.at('/crash');
  for (const request of got) expect(verifier.verify(request.body.toString(), request.headers)).toMatchObject({ type: 'TICKET_CREATED' });
  const ids = got.map((request) => request.headers['webhook-id']);
  expect(new Set(ids)).toEqual(new Set(hooks.map((delivery) => delivery.id)));
  expect(repeats(ids)).toEqual(cutOffHooks);
  expect(ids).toHaveLength(COUNT + cutOffHooks.size);
});
