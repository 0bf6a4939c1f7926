import { spawn } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import type { MikroORM } from '@mikro-orm/postgresql';
import { checkpointOf, FeedConsumers } from '../../src/modules/feed/consumers';
import { createLocalPubSub } from '../../src/modules/realtime/pubsub';
import * as make from '../factories';
import { CONSUMED_TABLE, recordingConsumer } from '../setup/recording-consumer';
import { statementsSent } from '../setup/query-plans';
import { startTestApp, type TestApp } from '../setup/test-app';

let app: TestApp;
let orm: MikroORM;

beforeAll(async () => {
  app = await startTestApp();
  orm = app.app.database.orm;
  await app.em().execute(CONSUMED_TABLE);
});
afterAll(() => app.stop());

const silent = pino({ level: 'silent' });
const runner = (leaseSeconds = 1, retrySeconds = 1) => new FeedConsumers(orm, createLocalPubSub(), silent, { leaseSeconds, retrySeconds });

/** Every timeline position, in order. */
async function allPositions(): Promise<string[]> {
  const rows = await app.em().execute<{ position: string }[]>('select position::text as position from ticket_event order by position');
  return rows.map((row) => row.position);
}

/** What `consumer` applied, in the order it applied it. */
async function consumed(consumer: string): Promise<string[]> {
  const rows = await app.em().execute<{ position: string }[]>('select position::text as position from consumed where consumer = ? order by seq', [consumer]);
  return rows.map((row) => row.position);
}

async function someTickets(count: number) {
  for (let i = 0; i < count; i += 1) await make.ticket(app);
}

async function checkpointRow(consumer: string) {
  const [row] = await app.em().execute<{ position: string; failures: number; last_error: string | null; retry_later: boolean }[]>(
    'select position::text as position, failures, last_error, retry_at > now() as retry_later from feed_checkpoint where consumer = ?',
    [consumer],
  );
  return row;
}

it('loses nothing and applies nothing twice when its process is killed mid-batch: another instance takes over when the lease runs out', async () => {
  await someTickets(45);
  const child = spawn(process.execPath, ['-r', path.join(__dirname, '../setup/swc-register.js'), path.join(__dirname, '../setup/consumer-child.ts')], {
    env: { ...process.env, DATABASE_URL: app.databaseUrl, CONSUMER: 'killed', BATCH: '10', FEED_LEASE_SECONDS: '2' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Killed in its second batch: the first is committed, the second recorded but not.
  let batches = 0;
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      batches += chunk.toString().split('batch').length - 1;
      if (batches >= 2) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the consumer's process ended by itself (${code}) after ${batches} batches`)));
  });
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));

  const positions = await allPositions();
  expect(await consumed('killed')).toEqual(positions.slice(0, 10));
  expect((await checkpointRow('killed')).position).toBe(positions[9]);

  const takeover = runner();
  takeover.register(recordingConsumer('killed', 10));
  await takeover.catchUp('killed');
  expect(await consumed('killed')).toEqual(positions);
  expect(await checkpointOf(app.em(), 'killed')).toBe(positions.at(-1));
});

it('shares one consumer between instances while entries are written: each entry once, in position order', async () => {
  const instances = [runner(), runner()];
  for (const instance of instances) {
    instance.register(recordingConsumer('shared', 7));
    instance.start();
  }
  try {
    await Promise.all([someTickets(30), someTickets(30)]);
    await instances[1].catchUp('shared');
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
  }
  expect(await consumed('shared')).toEqual(await allPositions());
});

it('keeps a failing batch for later, with its error and a growing wait, then applies it once', async () => {
  await someTickets(3);
  let failures = 0;
  const flaky = runner(1, 1);
  flaky.register(
    recordingConsumer('flaky', 500, async () => {
      if (failures < 2) {
        failures += 1;
        throw new Error(`mail server said no (${failures})`);
      }
    }),
  );
  await expect(flaky.catchUp('flaky')).rejects.toThrow('mail server said no (1)');
  expect(await checkpointRow('flaky')).toEqual({ position: '0', failures: 1, last_error: 'mail server said no (1)', retry_later: true });
  // The retry waits for retry_at (1 s after the first failure, 2 s after the second).
  await expect(flaky.catchUp('flaky')).rejects.toThrow('mail server said no (2)');
  expect(await checkpointRow('flaky')).toMatchObject({ failures: 2, retry_later: true });
  await flaky.catchUp('flaky');

  expect(await consumed('flaky')).toEqual(await allPositions());
  expect(await checkpointRow('flaky')).toEqual({ position: (await allPositions()).at(-1), failures: 0, last_error: null, retry_later: null });
});

it('applies a batch in one transaction that also takes the claim and reads the watermark', async () => {
  await someTickets(2);
  const consumers = runner();
  consumers.register(recordingConsumer('one-trip', 500));
  const sent = await statementsSent(app, () => consumers.catchUp('one-trip'));
  const shapes = sent.map(({ sql }) => sql.replace(/\s+/g, ' ').trim().toLowerCase());
  // catchUp's target, the checkpoint row made once, then the batch: claim and watermark, entries, what the consumer wrote, checkpoint.
  expect(shapes).toEqual([
    expect.stringMatching(/^select timeline_watermark\(\)/),
    expect.stringMatching(/^insert into feed_checkpoint/),
    'begin;',
    expect.stringMatching(/^select position::text as position, timeline_watermark\(\)::text as below from feed_checkpoint .* for update skip locked$/),
    expect.stringMatching(/^select .* from "ticket_event"/),
    expect.stringMatching(/^insert into consumed/),
    expect.stringMatching(/^update feed_checkpoint set position/),
    'commit;',
  ]);
  expect(await consumed('one-trip')).toEqual(await allPositions());
});

it('refuses to register two consumers under one name', () => {
  const consumers = runner();
  consumers.register(recordingConsumer('twice', 1));
  expect(() => consumers.register(recordingConsumer('twice', 1))).toThrow('already registered');
});
