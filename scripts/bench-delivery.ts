import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Webhook } from 'standardwebhooks';
import { startInstanceProcess, type InstanceProcess } from './bench-instance';
import { createDatabase, dropDatabase, machine, postGraphql, quantile, querySql, record, redisAnswers } from './bench-support';
import { hashPassword } from '../src/modules/users/auth/passwords';

/**
 * `npm run bench:delivery`: BENCH_CHANGES changes (10,000) — external comments by agents on customers'
 * tickets, BENCH_WRITERS (8) at a time through the GraphQL HTTP API — each delivered as a webhook
 * (COMMENT_ADDED, to a receiver here that verifies every signature) and as a mail (to an SMTP server
 * here), against one server instance and then two on the same database (writer i on instance i mod 2;
 * every instance a process of its own, running the consumers and the dispatcher). Per case:
 * deliveries/s and the lag of each delivery — from the moment the change's mutation was answered to the
 * moment the receiver had the whole message — p50/p99/max. Recorded in docs/benchmarks.md.
 */

const CHANGES = Number(process.env.BENCH_CHANGES ?? 10_000);
/**
 * Changes per second, all writers together: 0 (the default) writes as fast as the server answers (a
 * closed loop: the machine is saturated, and the lag says how far deliveries fall behind the fastest
 * writers); a rate paces the writes (an open loop: the lag of deliveries under that steady load).
 */
const RATE = Number(process.env.BENCH_RATE ?? 0);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 8);
/** Changes are spread so no ticket gets more than a few a case: a customer is not written to a hundred times a minute. */
const TICKETS = Math.max(WRITERS, Math.ceil(CHANGES / 5));
const DATABASE = `tg_bench_delivery_${process.pid}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const TARGET_P99_MS = 2000;
const PASSWORD = 'bench-password';
/** Gives up on a case whose deliveries stop arriving for this long. */
const STALL_MS = 60_000;

const ADD_COMMENT = 'mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }';
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The change a delivery is about: every comment's body starts with its marker. */
const marker = (n: number) => `bench-change-${n}-end`;
const MARKER = /bench-change-(\d+)-end/;

interface Receipts {
  /** When each change's mutation was answered (performance.now()). */
  answered: Map<number, number>;
  webhooks: Map<number, number>;
  mails: Map<number, number>;
  badSignatures: number;
  repeats: number;
}

function freshReceipts(): Receipts {
  return { answered: new Map(), webhooks: new Map(), mails: new Map(), badSignatures: 0, repeats: 0 };
}

let receipts = freshReceipts();

function received(into: Map<number, number>, body: string): void {
  const found = MARKER.exec(body);
  if (!found) return;
  const change = Number(found[1]);
  if (into.has(change)) receipts.repeats += 1;
  else into.set(change, performance.now());
}

/** A webhook receiver that checks each signature as a partner would, then answers 204. */
async function startWebhookReceiver(): Promise<{ url: string; server: Server; setSecret(secret: string): void }> {
  let verifier: Webhook | undefined;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      try {
        verifier!.verify(body, request.headers as Record<string, string>);
        received(receipts.webhooks, body);
        response.writeHead(204).end();
      } catch {
        receipts.badSignatures += 1;
        response.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, server, setSecret: (secret) => (verifier = new Webhook(secret)) };
}

async function startMailReceiver(): Promise<{ url: string; server: SMTPServer }> {
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        // Quoted-printable may wrap lines: the marker is short and without characters it would encode.
        received(receipts.mails, Buffer.concat(chunks).toString().replace(/=\r?\n/g, ''));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}?pool=true&maxConnections=8`, server };
}

interface Writer {
  token: string;
  tickets: string[];
}

/** Agents, each with customers' tickets of its own (one business, a contact with an address per ticket), and an admin. */
async function seed(url: string): Promise<{ writers: Writer[]; adminToken: string }> {
  await querySql(
    DATABASE,
    `insert into app_user (id, created_at, name, email, role, password_hash)
       select gen_random_uuid(), now(), 'Agent ' || i, 'agent' || i || '@bench.example', case when i = 0 then 'ADMIN' else 'AGENT' end, $1
       from generate_series(0, $2::int) i`,
    [await hashPassword(PASSWORD), WRITERS],
  );
  const login = async (email: string) =>
    ((await postGraphql(url, 'mutation($input: LoginInput!) { login(input: $input) { token } }', { input: { email, password: PASSWORD } })).login as { token: string }).token;
  const adminToken = await login('agent0@bench.example');
  const writers = await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const token = await login(`agent${w + 1}@bench.example`);
      const business = await postGraphql(url, 'mutation($input: CreateBusinessInput!) { createBusiness(input: $input) { id } }', { input: { name: `Customer ${w + 1} Ltd`, domain: `c${w + 1}.example` } }, token);
      const businessId = (business.createBusiness as { id: string }).id;
      const tickets: string[] = [];
      for (let t = w; t < TICKETS; t += WRITERS) {
        const contact = await postGraphql(url, 'mutation($input: CreateContactInput!) { createContact(input: $input) { id } }', { input: { businessId, name: `Customer ${t}`, email: `customer${t}@c${w + 1}.example` } }, token);
        const created = await postGraphql(
          url,
          'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }',
          { input: { title: `Invoice question ${t}`, description: 'Where is my invoice?', businessId, contactId: (contact.createContact as { id: string }).id } },
          token,
        );
        tickets.push((created.createTicket as { ticket: { id: string } }).ticket.id);
      }
      return { token, tickets };
    }),
  );
  return { writers, adminToken };
}

/** Starts every consumer from the end of the timeline: the seed's receipts and events are not this benchmark's. */
async function skipTheSeed(): Promise<void> {
  await querySql(
    DATABASE,
    `insert into feed_checkpoint (consumer, position)
       select name, coalesce((select max(position) from ticket_event), 0) from unnest($1::text[]) name
     on conflict (consumer) do update set position = excluded.position`,
    [['customer-mail', 'webhooks', 'notifications']],
  );
}

interface Result {
  instances: number;
  changes: number;
  writesPerSecond: number;
  deliveriesPerSecond: number;
  lag: { p50: number; p99: number; max: number };
  webhookLag: { p50: number; p99: number };
  mailLag: { p50: number; p99: number };
  missing: number;
  repeats: number;
  badSignatures: number;
  /** Where the lag goes, from the outbox: change → delivery decided (by a consumer) → delivered (by the dispatcher), ms. */
  stages: { decidedP50: number; decidedP99: number; sentP50: number; sentP99: number };
}

const lagStats = (lags: number[]) => {
  const sorted = [...lags].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? NaN };
};

/** One case: the writers make `CHANGES` comments, the receivers wait for every delivery (or a stall). */
async function measure(instances: InstanceProcess[], writers: Writer[], first: number): Promise<Result> {
  receipts = freshReceipts();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    writers.map(async (writer, w) => {
      const url = instances[w % instances.length].url;
      for (let k = 0; ; k += 1) {
        const n = next++;
        if (n >= CHANGES) return;
        const change = first + n;
        if (RATE > 0) await sleep(started + (n * 1000) / RATE - performance.now());
        const ticketId = writer.tickets[k % writer.tickets.length];
        await postGraphql(url, ADD_COMMENT, { input: { ticketId, body: `${marker(change)} Your invoice is attached to this reply.` } }, writer.token);
        receipts.answered.set(change, performance.now());
      }
    }),
  );
  const written = performance.now();
  const since = new Date(Date.now() - (written - started) - 1000);
  let seen = -1;
  let lastProgress = performance.now();
  while (receipts.webhooks.size + receipts.mails.size < 2 * CHANGES && performance.now() - lastProgress < STALL_MS) {
    await sleep(50);
    const now = receipts.webhooks.size + receipts.mails.size;
    if (now !== seen) [seen, lastProgress] = [now, performance.now()];
  }
  const lastReceipt = Math.max(...receipts.webhooks.values(), ...receipts.mails.values());
  const lags = (into: Map<number, number>) => [...into].map(([change, at]) => at - receipts.answered.get(change)!);
  const webhookLags = lags(receipts.webhooks);
  const mailLags = lags(receipts.mails);
  const deliveries = receipts.webhooks.size + receipts.mails.size;
  return {
    instances: instances.length,
    changes: CHANGES,
    writesPerSecond: (CHANGES * 1000) / (written - started),
    deliveriesPerSecond: (deliveries * 1000) / (lastReceipt - started),
    lag: lagStats([...webhookLags, ...mailLags]),
    webhookLag: lagStats(webhookLags),
    mailLag: lagStats(mailLags),
    missing: 2 * CHANGES - deliveries,
    stages: await stages(since),
    repeats: receipts.repeats,
    badSignatures: receipts.badSignatures,
  };
}

/** The outbox's view of the case: when each delivery was decided and delivered, after the change (its timeline entry). */
async function stages(since: Date): Promise<Result['stages']> {
  const [row] = await querySql<Record<keyof Result['stages'], number>>(
    DATABASE,
    `with d as (
       select extract(epoch from d.created_at - e.created_at) * 1000 as decided, extract(epoch from d.delivered_at - d.created_at) * 1000 as sent
         from delivery d join ticket_event e on e.id = substring(d.dedup_key from '[0-9a-f-]{36}$')::uuid
        where d.created_at >= $1)
     select percentile_cont(0.5) within group (order by decided) as "decidedP50", percentile_cont(0.99) within group (order by decided) as "decidedP99",
            percentile_cont(0.5) within group (order by sent) as "sentP50", percentile_cont(0.99) within group (order by sent) as "sentP99" from d`,
    [since],
  );
  return row;
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : '–');

function row(r: Result): string {
  return `| ${r.instances} | ${r.changes} | ${r.writesPerSecond.toFixed(1)} | ${r.deliveriesPerSecond.toFixed(1)} | ${ms(r.lag.p50)} | ${ms(r.lag.p99)} | ${ms(r.lag.max)} | ${ms(r.webhookLag.p50)} / ${ms(r.webhookLag.p99)} | ${ms(r.mailLag.p50)} / ${ms(r.mailLag.p99)} | ${ms(r.stages.decidedP50)} / ${ms(r.stages.decidedP99)} | ${ms(r.stages.sentP50)} / ${ms(r.stages.sentP99)} | ${r.missing} | ${r.repeats} | ${r.badSignatures} |`;
}

async function main(): Promise<void> {
  const redis = await redisAnswers(REDIS_URL);
  const hooks = await startWebhookReceiver();
  const mail = await startMailReceiver();
  const env: Record<string, string> = {
    RATE_LIMIT_POINTS: '100000000',
    SMTP_URL: mail.url,
    MAIL_FROM: 'Bench Support <support@bench.example>',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    // The flood guard is not what is measured: a few mails per ticket and case stay under it anyway.
    MAIL_CAP_PER_TICKET: '1000',
    ...(redis ? { REDIS_URL } : {}),
  };
  const running: InstanceProcess[] = [];
  await createDatabase(DATABASE);
  try {
    // The seeding instance delivers nothing; the measured ones start after the seed.
    const seeder = await startInstanceProcess(DATABASE, { ...env, FEED_CONSUMERS: 'false' });
    const { writers, adminToken } = await seed(seeder.url);
    const created = await postGraphql(
      seeder.url,
      'mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret } }',
      { input: { url: hooks.url, events: ['COMMENT_ADDED'], description: 'bench receiver', includeInternal: false } },
      adminToken,
    );
    hooks.setSecret((created.createWebhook as { secret: string }).secret);
    await seeder.stop();
    await skipTheSeed();
    console.log(`bench:delivery: ${CHANGES} changes by ${WRITERS} writers over ${TICKETS} tickets, ${RATE > 0 ? `${RATE} a second` : 'as fast as answered'}${redis ? ', Redis' : ', no Redis'}`);

    const results: Result[] = [];
    for (const instances of [1, 2]) {
      while (running.length < instances) running.push(await startInstanceProcess(DATABASE, env));
      const result = await measure(running, writers, (instances - 1) * CHANGES);
      console.log(row(result));
      results.push(result);
    }
    const verdicts = results.map(
      (r) => `- Lag p99 under ${TARGET_P99_MS} ms, ${r.instances === 1 ? 'one instance' : 'two instances'}: ${ms(r.lag.p99)} ms: ${r.lag.p99 < TARGET_P99_MS && r.missing === 0 ? 'met' : 'missed'}.`,
    );
    console.log(verdicts.join('\n'));
    await record(RATE > 0 ? `delivery-paced` : 'delivery', [
      `### Delivery (\`${RATE > 0 ? `BENCH_RATE=${RATE} ` : ''}npm run bench:delivery\`)`,
      '',
      `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}; PostgreSQL, Redis${redis ? '' : ' (not running: no Redis)'}, the`,
      'receivers and the server instances all on this machine. Each change is an external comment by an agent on a customer’s ticket',
      `(${WRITERS} agents writing at once, ${TICKETS} tickets, each with a contact), delivered twice: as a COMMENT_ADDED`,
      'webhook to an HTTP receiver in the benchmark’s process that verifies every signature with `standardwebhooks`, and as a mail to an',
      'SMTP server in the same process (smtp-server; pooled connections). Lag: from the moment the comment’s mutation was answered to the',
      'moment the receiver had the whole message. Deliveries/s: all deliveries ÷ the time from the first write to the last receipt.',
      `Writes: ${RATE > 0 ? `paced at ${RATE} changes a second (BENCH_RATE)` : 'as fast as the server answers them (a closed loop, the machine saturated)'}. Decided after: from the change's timeline entry to its`,
      'delivery row (the consumers); sent after: from that row to its delivery (the dispatcher), both from the outbox.',
      'Each instance is a process of its own running the feed consumers and the dispatcher (default DELIVERY_CONCURRENCY 32);',
      'with two, writer i uses instance i mod 2.',
      '',
      '| instances | changes | writes/s | deliveries/s | lag p50 ms | lag p99 ms | lag max ms | webhooks p50 / p99 ms | mails p50 / p99 ms | decided after p50 / p99 ms | sent after p50 / p99 ms | missing | repeats | bad signatures |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...results.map(row),
      '',
      'Target (issue 18):',
      '',
      ...verdicts,
    ]);
  } finally {
    for (const instance of running.reverse()) await instance.stop().catch((error: unknown) => console.error(error));
    await dropDatabase(DATABASE).catch((error: unknown) => console.error(error));
    hooks.server.close();
    mail.server.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
