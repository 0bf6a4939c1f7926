import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Delivery, DeliveryStatus } from '../../src/modules/deliveries/delivery.entity';
import { newMessageId, queueMail } from '../../src/modules/mail/outbound-mail';
import { startSmtpSink, type SmtpSink } from '../setup/smtp-sink';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../setup/test-app';

let smtp: SmtpSink;
let app: TestApp;
let dataDir: string;

beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tg-crash-'));
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
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
      SMTP_URL: smtp.url,
      MAIL_FROM: 'help@ticketgraph.test',
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

it('delivers every mail after a server is killed mid-delivery; the only repeats are the attempts the kill cut off, with the same Message-ID', async () => {
  const ids = Array.from({ length: 30 }, () => newMessageId('help@ticketgraph.test'));
  await app.em().transactional(async (em) => {
    for (const [i, messageId] of ids.entries()) {
      await queueMail(em, { to: `crash${i}@example.test`, subject: `Crash ${i}`, text: 'text', html: '<p>html</p>', messageId, kind: 'TEST' }, { dedupKey: `crash-${i}` });
    }
  });

  // The receiver keeps what arrives and answers nothing: the server dies with attempts in flight.
  smtp.hold();
  const first = await startServer();
  await until(() => smtp.held() === 8);
  first.kill('SIGKILL');
  await new Promise((resolve) => first.once('exit', resolve));
  const cutOff = smtp.received.length;
  expect(cutOff).toBe(8);
  smtp.release();

  const second = await startServer();
  try {
    await until(async () => (await app.em().count(Delivery, { status: DeliveryStatus.DELIVERED })) === ids.length);
  } finally {
    second.kill('SIGTERM');
    await new Promise((resolve) => second.once('exit', resolve));
  }
  const received = smtp.received.map((mail) => mail.parsed.messageId!);
  expect(new Set(received)).toEqual(new Set(ids));
  const repeats = received.length - ids.length;
  expect(repeats).toBe(cutOff);
  // Each repeat is a mail whose first attempt was cut off.
  const repeated = received.filter((id, index) => received.indexOf(id) !== index);
  expect(new Set(repeated)).toEqual(new Set(received.slice(0, cutOff)));
}, 120_000);
