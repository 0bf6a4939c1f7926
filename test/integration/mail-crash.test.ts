import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { CreateTicketDocument } from '../__generated__/graphql';
import { Delivery, DeliveryStatus } from '../../src/modules/deliveries/delivery.entity';
import * as make from '../factories';
import { startSmtpSink, type SmtpSink } from '../setup/smtp-sink';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../setup/test-app';

let smtp: SmtpSink;
let app: TestApp;

beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
});

/** The server in a process of its own on the test's database, sending to the test's SMTP server one mail at a time. */
async function server(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', path.join(__dirname, '../setup/swc-register.js'), path.join(__dirname, '../setup/app-child.ts')], {
    env: {
      ...process.env,
      DATABASE_URL: app.databaseUrl,
      JWT_SECRET: TEST_JWT_SECRET,
      PORT: '0',
      DATA_DIR: path.join(os.tmpdir(), `tg-mail-crash-${process.pid}`),
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Help Desk <help@ticketgraph.test>',
      FEED_CONSUMERS: 'true',
      FEED_LEASE_SECONDS: '1',
      DELIVERY_CONCURRENCY: '1',
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

it('sends every mail when its server is killed mid-delivery and restarted; the only repeat is the mail in flight, with its Message-ID', async () => {
  const agent = await make.staffUser(app);
  const customer = await make.customer(app, await make.business(app));
  const COUNT = 12;
  for (let i = 0; i < COUNT; i += 1) {
    const result = await app.gql(CreateTicketDocument, { input: { title: `Crash ${i}`, description: 'x', contactId: customer.contact.globalId } }, agent.token);
    expect(result.errors).toBeUndefined();
  }
  const before = smtp.received.length;

  // Three mails go out, then the fourth is received but never answered: the server is killed while it waits.
  const first = await server();
  await smtp.waitFor(before + 3);
  const inFlight = await smtp.holdNext();
  first.kill('SIGKILL');
  await ended(first);

  // Restarted: it sends the rest once the killed one's claims run out (DELIVERY_LEASE_SECONDS).
  const restarted = await server();
  await smtp.waitFor(before + COUNT + 1);
  restarted.kill('SIGTERM');
  await ended(restarted);

  const received = smtp.received.slice(before).map((mail) => mail.parsed.messageId!);
  const deliveries = await app.em().find(Delivery, { target: customer.contact.email });
  const decided = deliveries.map((delivery) => (delivery.payload as { messageId: string }).messageId);
  expect(new Set(decided).size).toBe(COUNT);
  expect(deliveries.every((delivery) => delivery.status === DeliveryStatus.DELIVERED)).toBe(true);
  // Every decided mail arrived; exactly one arrived twice, the one in flight, under the same Message-ID.
  expect([...new Set(received)].sort()).toEqual([...decided].sort());
  expect(received).toHaveLength(COUNT + 1);
  expect(received.filter((id) => id === inFlight.parsed.messageId)).toHaveLength(2);
  expect(deliveries.find((delivery) => (delivery.payload as { messageId: string }).messageId === inFlight.parsed.messageId)).toMatchObject({ attempts: 2 });
}, 120_000);
