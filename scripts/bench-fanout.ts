import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { setPriority } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { startInstanceProcess } from './bench-instance';
import { startFloorProcess, type FloorServer } from './fanout-floor';
import { machine, quantile, querySql, record, redisAnswers, runSql, startBenchServer, type BenchServer } from './bench-support';
import type { ConnectRequest, EventStats, FireRequest, PlannedChange, WorkerCommand, WorkerCounts, WorkerReply, WorkerRequest } from './fanout-worker';
import { hashPassword } from '../src/modules/users/auth/passwords';
import { fromGlobalId, toGlobalId } from '../src/shared/global-id';

/**
 * `npm run bench:fanout`: subscription fan-out. Starts the real server, opens BENCH_CLIENTS graphql-ws
 * clients (default 2,000; the target is 10,000) from BENCH_WORKERS worker processes (default 4), each
 * subscribed to `ticketStatusChanged`, sends BENCH_EVENTS status changes (default 20, one every
 * BENCH_INTERVAL_MS = 250 ms) and reports reach (deliveries ÷ clients × changes), p50/p99 delivery
 * latency (receive time minus the moment the driver sent the change) and the server's memory per idle connection. Before
 * the clients connect, the same changes with nobody subscribed give `changeTicketStatus`'s idle
 * latency. Then the floor: the same clients on a bare graphql-ws server (scripts/fanout-floor.ts)
 * pushing a payload of the same shape on the same schedule; the run prints Ticketgraph's p99 ÷ the
 * floor's and the mutation's latency while delivering ÷ idle. Then the same with two instances on one
 * database and Redis (REDIS_URL, default redis://127.0.0.1:6379; the second instance in a process of
 * its own): half the clients on each, changes made on the first.
 * Targets: 10,000 clients on one instance with 100 % reach and a p99 within 2× the floor's; the
 * mutation within 2× its idle latency while deliveries run; under 25 KB per idle connection.
 *
 * The (first) server runs in this process, so its memory is this process's; the clients live in the
 * workers. Every phase has a time bound (BENCH_*_SECONDS below), and so has the whole run.
 */
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 2_000);
const WORKERS = Math.max(1, Math.min(Number(process.env.BENCH_WORKERS ?? 4), CLIENTS));
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 250);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** BENCH_REDIS=0 skips the two-instance run. */
const WITH_REDIS = process.env.BENCH_REDIS !== '0';
/** Per-phase bounds, seconds: connecting, warm-up (subscriptions live), waiting for deliveries after the last event. */
const CONNECT_SECONDS = Number(process.env.BENCH_CONNECT_SECONDS ?? 90);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 90);
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 120);
/**
 * BENCH_CPU_PROF=dir writes a CPU profile (open it in Chrome DevTools or speedscope) of the
 * single-instance server (this process) from the first measured change until the deliveries are in.
 */
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
/** The whole run, whatever happens: then everything is stopped and the database dropped. */
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 720);
/**
 * Deliveries that stop coming for this long end a wait early. Generous: a busy server may deliver in
 * waves, and this process (which polls the workers) is that busy server.
 */
const STALL_MS = 30_000;
/** During the warm-up, a stall this long (with clients still not live) fires another warm-up change. */
const WARMUP_STALL_MS = 15_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const secondsSince = (start: number) => ((Date.now() - start) / 1000).toFixed(1);
const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

/** The soft limit on open files of this process (which holds every server-side socket). */
function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    return soft === undefined ? undefined : soft === 'unlimited' ? Infinity : Number(soft);
  } catch {
    return undefined;
  }
}

/** Starts profiling this process; the function returned stops and writes the profile, and answers its path. */
async function startProfile(): Promise<() => Promise<string>> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: object };
    session.disconnect();
    mkdirSync(PROFILE_DIR!, { recursive: true });
    const file = path.resolve(PROFILE_DIR!, `fanout-${CLIENTS}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    return file;
  };
}

// --- workers -------------------------------------------------------------------------------------

class Worker {
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: WorkerReply) => void>();
  exited = false;

  constructor(
    readonly index: number,
    readonly process: ChildProcess,
  ) {
    process.on('message', (reply: WorkerReply) => {
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
    process.on('exit', (code) => {
      this.exited = true;
      if (code !== 0 && code !== null) console.error(`worker ${index} exited with code ${code}`);
    });
  }

  ask<T extends WorkerReply['type']>(request: WorkerCommand, timeoutMs = 15_000): Promise<Extract<WorkerReply, { type: T }>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(new Error(`worker ${this.index} has exited`));
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`worker ${this.index} did not answer ${request.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply as Extract<WorkerReply, { type: T }>);
      });
      this.process.send({ ...request, id } as WorkerRequest);
    });
  }

  /** Asks it to close its clients and exit; kills it if it has not within a few seconds. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    await this.ask<'ok'>({ type: 'stop' }, 2_000).catch(() => undefined);
    await Promise.race([exited, sleep(5_000)]);
    if (!this.exited) this.process.kill('SIGKILL');
  }
}

function sum(counts: WorkerCounts[]): WorkerCounts {
  const total: WorkerCounts = { connected: 0, failed: 0, dropped: 0, live: 0, livePerUrl: [], connectedPerUrl: [], received: 0, errors: 0, connecting: false };
  for (const c of counts) {
    total.connected += c.connected;
    total.failed += c.failed;
    total.dropped += c.dropped;
    total.live += c.live;
    total.received += c.received;
    total.errors += c.errors;
    total.firstError ??= c.firstError;
    total.connecting ||= c.connecting;
    c.livePerUrl.forEach((n, i) => (total.livePerUrl[i] = (total.livePerUrl[i] ?? 0) + n));
    c.connectedPerUrl.forEach((n, i) => (total.connectedPerUrl[i] = (total.connectedPerUrl[i] ?? 0) + n));
  }
  return total;
}

class Fleet {
  constructor(
    /** The processes holding the clients. */
    readonly workers: Worker[],
    /**
     * The process that sends the changes and times their answers. It holds no client: a process busy
     * decoding thousands of sockets' messages would answer its own timers late and count that lateness
     * as the mutation's (or the floor's publish's) latency.
     */
    readonly driver: Worker,
  ) {}

  static spawn(count: number): Fleet {
    const script = path.join(__dirname, 'fanout-worker.js');
    const worker = (i: number) => new Worker(i, fork(script, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const clients = Array.from({ length: count }, (_, i) => worker(i));
    // The clients stand in for browsers on other machines. Here they share the server's two cores, and
    // decoding 10,000 sockets' messages at the normal priority took the CPU the mutation's own
    // statements needed. At the lowest priority they use what the servers (ours, the floor, PostgreSQL)
    // leave; the driver keeps the normal priority.
    for (const client of clients) setPriority(client.process.pid!, 19);
    return new Fleet(clients, worker(count));
  }

  async connect(urls: string[], token: string, lifetimeMs: number): Promise<void> {
    let offset = 0;
    await Promise.all(
      this.workers.map((worker, i) => {
        const clients = Math.floor(CLIENTS / this.workers.length) + (i < CLIENTS % this.workers.length ? 1 : 0);
        const request: ConnectRequest = {
          type: 'connect',
          urls,
          offset,
          clients,
          token,
          concurrency: 50,
          connectTimeoutMs: 30_000,
          lifetimeMs,
        };
        offset += clients;
        return worker.ask<'ok'>(request);
      }),
    );
  }

  async counts(): Promise<WorkerCounts> {
    return sum((await Promise.all(this.workers.map((w) => w.ask<'counts'>({ type: 'poll' })))).map((r) => r.counts));
  }

  async reset(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.ask<'ok'>({ type: 'reset' })));
  }

  async stats(): Promise<{ counts: WorkerCounts; events: Map<string, EventStats> }> {
    const replies = await Promise.all(this.workers.map((w) => w.ask<'stats'>({ type: 'stats' }, 60_000)));
    const events = new Map<string, EventStats>();
    for (const reply of replies) {
      for (const [eventId, stats] of Object.entries(reply.events)) {
        const into = events.get(eventId) ?? { perUrl: [], receivedAt: [] };
        stats.perUrl.forEach((n, i) => (into.perUrl[i] = (into.perUrl[i] ?? 0) + n));
        for (const at of stats.receivedAt) into.receivedAt.push(at);
        events.set(eventId, into);
      }
    }
    return { counts: sum(replies.map((r) => r.counts)), events };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.workers, this.driver].map((w) => w.stop()));
  }
}

/** A worker's answer to `fire`. */
type Fired = Extract<WorkerReply, { type: 'fired' }>;

// --- the tickets and their status changes --------------------------------------------------------

/**
 * Tickets the changes rotate over: changes are sent on schedule without waiting for answers, and a
 * change waits only for the previous one on its own ticket.
 */
const TICKETS = Math.max(1, Math.min(32, EVENTS));

interface SceneTicket {
  id: string;
  /** The status it is in now: each change flips it between IN_PROGRESS and WAITING_ON_THIRD_PARTY. */
  status: 'IN_PROGRESS' | 'WAITING_ON_THIRD_PARTY';
}

interface Scene {
  token: string;
  tickets: SceneTicket[];
  next: number;
}

const CHANGE_STATUS = 'mutation($input: ChangeTicketStatusInput!) { changeTicketStatus(input: $input) { ticket { status } } }';

async function seed(server: BenchServer): Promise<Scene> {
  const hash = await hashPassword('bench-password');
  await runSql(
    server.database,
    `insert into app_user (id, created_at, name, email, role, password_hash)
       values (gen_random_uuid(), now(), 'Fanout Agent', 'fanout@bench.example', 'AGENT', '${hash}')`,
  );
  const login = await server.post('mutation { login(input: { email: "fanout@bench.example", password: "bench-password" }) { token } }', {});
  const token = (login.login as { token: string }).token;
  const business = await server.post('mutation($input: CreateBusinessInput!) { createBusiness(input: $input) { id } }', { input: { name: 'Fanout Ltd', domain: 'fanout.example' } }, token);
  const businessId = (business.createBusiness as { id: string }).id;
  const tickets: SceneTicket[] = [];
  for (let i = 0; i < TICKETS; i += 1) {
    const created = await server.post(
      'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }',
      { input: { title: `Printer on fire #${i + 1}`, description: 'Everyone is watching this one.', businessId } },
      token,
    );
    const id = (created.createTicket as { ticket: { id: string } }).ticket.id;
    // OPEN → IN_PROGRESS now, before anyone listens; from here on every change alternates.
    await server.post(CHANGE_STATUS, { input: { ticketId: id, status: 'IN_PROGRESS' } }, token);
    tickets.push({ id, status: 'IN_PROGRESS' });
  }
  return { token, tickets, next: 0 };
}

/** One status change through the API, waiting for its answer (the warm-up). */
async function flip(server: BenchServer, scene: Scene): Promise<void> {
  const [change] = plan(scene, 1);
  await server.post(CHANGE_STATUS, { input: { ticketId: change.ticketId, status: change.to, reason: change.reason } }, scene.token);
  applied(scene, [change]);
}

/** Records in the scene what planned changes have done. */
function applied(scene: Scene, changes: PlannedChange[]): void {
  for (const change of changes) scene.tickets.find((t) => t.id === change.ticketId)!.status = change.to as SceneTicket['status'];
}

/** The next `count` changes, round-robin over the tickets, each flipping its ticket's (planned) status. */
function plan(scene: Scene, count: number): PlannedChange[] {
  const planned = new Map(scene.tickets.map((t) => [t.id, t.status]));
  return Array.from({ length: count }, () => {
    const ticket = scene.tickets[scene.next];
    scene.next = (scene.next + 1) % scene.tickets.length;
    const to = planned.get(ticket.id) === 'IN_PROGRESS' ? 'WAITING_ON_THIRD_PARTY' : 'IN_PROGRESS';
    planned.set(ticket.id, to);
    return { ticketId: ticket.id, to, reason: to === 'WAITING_ON_THIRD_PARTY' ? 'Waiting for the vendor.' : 'The vendor answered.' };
  });
}

/**
 * The STATUS_CHANGED timeline entries of the scene's tickets so far (global ids, with their ticket's),
 * in commit order. Read with SQL, not through the API: a server still busy delivering would keep such
 * a query waiting.
 */
async function statusEvents(server: BenchServer, scene: Scene): Promise<{ id: string; ticketId: string }[]> {
  const rows = await querySql<{ id: string; ticket_id: string }>(
    server.database,
    `select id, ticket_id from ticket_event where type = 'STATUS_CHANGED' and ticket_id = any($1::uuid[]) order by position`,
    [scene.tickets.map((t) => fromGlobalId(t.id)!.id)],
  );
  return rows.map((row) => ({ id: toGlobalId('TicketEvent', row.id), ticketId: toGlobalId('Ticket', row.ticket_id) }));
}

/** What the clients subscribe to and what makes the changes: Ticketgraph (one or two instances) or the floor. */
interface Target {
  /** WebSocket URLs of the instances the clients spread over, client i on `urls[i % urls.length]`. */
  urls: string[];
  token: string;
  /** One change, waiting for its answer (the warm-up). */
  warmUp(): Promise<void>;
  /**
   * The measured changes: what a worker sends, and, once sent, when the change that made each event was
   * sent (event id → ms since the epoch), which delivery latencies count from.
   */
  changes(count: number): { request: Omit<FireRequest, 'type' | 'timeoutMs'>; sentAtOf(fired: Fired): Promise<Map<string, number>> };
  /** Whether to time the same changes with nobody subscribed first (the mutation's idle latency). */
  idleFirst: boolean;
  floor: boolean;
}

function ticketgraphTarget(primary: BenchServer, urls: string[], scene: Scene, idleFirst: boolean): Target {
  return {
    urls: urls.map((url) => url.replace(/^http/, 'ws')),
    token: scene.token,
    warmUp: () => flip(primary, scene),
    changes(count) {
      const changes = plan(scene, count);
      const known = statusEvents(primary, scene);
      return {
        request: { url: primary.app.url, token: scene.token, intervalMs: INTERVAL_MS, changes },
        async sentAtOf(fired) {
          applied(scene, changes);
          const before = new Set((await known).map((event) => event.id));
          const made = (await statusEvents(primary, scene)).filter((event) => !before.has(event.id));
          // Changes to one ticket are sent one after the other's answer, so its events commit in the order sent.
          const sentAt = new Map<string, number>();
          changes.forEach((change, i) => {
            const index = made.findIndex((event) => event.ticketId === change.ticketId);
            if (index >= 0) sentAt.set(made.splice(index, 1)[0].id, fired.sentAt[i]);
          });
          return sentAt;
        },
      };
    },
    idleFirst,
    floor: false,
  };
}

function floorTarget(floor: FloorServer): Target {
  const changes = (count: number): PlannedChange[] =>
    // Distinct keys: the worker holds a change back only behind an earlier one on the same ticket.
    Array.from({ length: count }, (_, i) => ({ ticketId: `floor-${i}`, to: i % 2 ? 'IN_PROGRESS' : 'WAITING_ON_THIRD_PARTY', reason: null }));
  return {
    urls: [`${floor.url.replace(/^http/, 'ws')}/graphql`],
    token: 'none',
    warmUp: async () => {
      await fetch(`${floor.url}/publish`, { method: 'POST', body: JSON.stringify({ to: 'IN_PROGRESS' }) });
    },
    changes: (count) => ({
      request: { url: floor.url, floor: true, token: 'none', intervalMs: INTERVAL_MS, changes: changes(count) },
      sentAtOf: async (fired) => new Map(fired.eventIds.flatMap((id, i) => (id === null ? [] : [[id, fired.sentAt[i]] as const]))),
    }),
    idleFirst: false,
    floor: true,
  };
}

// --- one scenario --------------------------------------------------------------------------------

interface Memory {
  rssKb: number;
  heapKb: number;
}

interface Result {
  name: string;
  /** The bare graphql-ws server, not Ticketgraph. */
  floor: boolean;
  instances: number;
  connected: number;
  connectSeconds: number;
  warmupSeconds: number;
  notLive: number;
  events: number;
  received: number;
  reach: number;
  /** Per instance (URL index): deliveries ÷ (its clients × events), when there are several. */
  reachPerInstance: number[];
  p50: number;
  p99: number;
  max: number;
  mutationMedianMs: number;
  /** The same changes with nobody subscribed, before the clients connect (Ticketgraph's single instance only). */
  idleMutationMedianMs?: number;
  /** This process's event-loop lateness while the changes were sent, idle and while delivering (a server in this process only). */
  lateness?: { idle: Lateness; delivering: Lateness };
  /** From sending the first change to sending the last (EVENTS − 1) × INTERVAL_MS unless a ticket's previous change held one back. */
  fireSeconds: number;
  /** The wait for deliveries ended at DRAIN_SECONDS while they were still arriving: reach is a lower bound. */
  cutOff: boolean;
  memoryPerConnection?: Memory;
  errors: number;
  firstError?: string;
  dropped: number;
  drainSeconds: number;
}

async function memoryNow(): Promise<Memory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3 && gc; i += 1) {
    gc();
    await sleep(200);
  }
  const usage = process.memoryUsage();
  return { rssKb: usage.rss / 1024, heapKb: usage.heapUsed / 1024 };
}

/**
 * Polls until `done` says so (`ended: 'done'`), nothing has changed for `stallMs` and `onStall` does
 * not restart it (`'stalled'`), or `timeoutMs` has passed (`'timeout'`).
 */
async function waitFor(
  fleet: Fleet,
  timeoutMs: number,
  done: (c: WorkerCounts) => boolean,
  progress: (c: WorkerCounts) => number,
  stallMs = STALL_MS,
  onStall?: () => Promise<boolean>,
): Promise<WorkerCounts & { ended: 'done' | 'stalled' | 'timeout' }> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let lastChange = Date.now();
  let lastPrint = 0;
  for (;;) {
    const counts = await fleet.counts();
    if (done(counts)) return { ...counts, ended: 'done' };
    if (progress(counts) !== last) {
      last = progress(counts);
      lastChange = Date.now();
    } else if (Date.now() - lastChange > stallMs) {
      if (!onStall || !(await onStall())) return { ...counts, ended: 'stalled' };
      lastChange = Date.now();
    }
    if (Date.now() > deadline) return { ...counts, ended: 'timeout' };
    if (Date.now() - lastPrint > 5_000) {
      lastPrint = Date.now();
      log(`  … connected ${counts.connected}, failed ${counts.failed}, live ${counts.live}, received ${counts.received}`);
    }
    await sleep(250);
  }
}

/** How late this process's timers ran, ms: a server in it that starves its requests shows here. */
interface Lateness {
  p50: number;
  p99: number;
}

const LATENESS_RESOLUTION_MS = 5;

/**
 * Runs `work`, sampling meanwhile how late a timer every 5 ms fires in this process (node's
 * event-loop delay histogram, less the 5 ms it waits on purpose).
 */
async function withLateness<T>(work: () => Promise<T>): Promise<{ result: T; lateness: Lateness }> {
  const histogram = monitorEventLoopDelay({ resolution: LATENESS_RESOLUTION_MS });
  histogram.enable();
  try {
    const result = await work();
    const late = (percentile: number) => Math.max(0, histogram.percentile(percentile) / 1e6 - LATENESS_RESOLUTION_MS);
    return { result, lateness: { p50: late(50), p99: late(99) } };
  } finally {
    histogram.disable();
  }
}

/** Sends `count` changes to `target` from the driver process, on schedule; throws when any failed. */
async function fire(fleet: Fleet, target: Target, count: number) {
  const { request, sentAtOf } = target.changes(count);
  const fired = await fleet.driver.ask<'fired'>({ type: 'fire', ...request, timeoutMs: 60_000 }, count * INTERVAL_MS + 120_000);
  if (fired.errors.length) throw new Error(`${fired.errors.length} of ${count} changes failed; first: ${fired.errors[0]}`);
  return { ...fired, sentAt: await sentAtOf(fired) };
}

/**
 * One run: the clients spread over the target's `urls`, client i on `urls[i % urls.length]`; the
 * memory figure (`measureMemory`) is this process's, so only for a server running in it.
 */
async function runScenario(name: string, target: Target, measureMemory: boolean, lifetimeMs: number): Promise<Result> {
  const urls = target.urls;
  const fleet = Fleet.spawn(WORKERS);
  try {
    let idleMutationMedianMs: number | undefined;
    let idleLateness: Lateness | undefined;
    if (target.idleFirst) {
      const { result: idle, lateness } = await withLateness(() => fire(fleet, target, EVENTS));
      idleLateness = lateness;
      idleMutationMedianMs = quantile(idle.mutationMs.sort((a, b) => a - b), 0.5);
      log(`${EVENTS} changes with nobody subscribed: changeTicketStatus answered in median ${msOf(idleMutationMedianMs)}`);
    }
    const before = measureMemory ? await memoryNow() : undefined;

    // 1. Connect everyone.
    let started = Date.now();
    await fleet.connect(
      urls,
      target.token,
      lifetimeMs,
    );
    let counts = await waitFor(fleet, CONNECT_SECONDS * 1000, (c) => !c.connecting, (c) => c.connected + c.failed, 30_000);
    const connectSeconds = (Date.now() - started) / 1000;
    log(`${counts.connected} of ${CLIENTS} clients connected in ${connectSeconds.toFixed(1)} s (${counts.failed} failed${counts.firstError ? `: ${counts.firstError}` : ''})`);
    if (counts.connected === 0) throw new Error('no client could connect');

    // 2. Warm-up: status changes until every connected client has received one (its subscription is
    // live); another one only when deliveries have stopped and some clients still have nothing.
    started = Date.now();
    let warmups = 1;
    await target.warmUp();
    counts = await waitFor(
      fleet,
      WARMUP_SECONDS * 1000,
      (c) => c.live >= c.connected,
      (c) => c.received,
      WARMUP_STALL_MS,
      async () => {
        // Another change helps clients whose subscription was not registered yet, not an instance
        // that has received nothing at all (changes made on A not reaching B): then stop trying.
        const c = await fleet.counts();
        const settled = c.live > 0 && c.connectedPerUrl.every((connected, i) => c.livePerUrl[i] === 0 || c.livePerUrl[i] >= connected);
        if (warmups >= 3 || settled) return false;
        warmups += 1;
        await target.warmUp();
        return true;
      },
    );
    const warmupSeconds = (Date.now() - started) / 1000;
    const notLive = counts.connected - counts.live;
    log(
      `warm-up: ${counts.live} of ${counts.connected} connected clients live after ${warmups} status change(s), ${warmupSeconds.toFixed(1)} s` +
        (urls.length > 1 ? ` (live per instance: ${counts.livePerUrl.join(' / ')} of ${counts.connectedPerUrl.join(' / ')})` : ''),
    );
    // Let stragglers of the warm-up arrive, and the server finish its work for it (a change with a
    // reason also publishes a comment, which every subscription receives and filters out), before measuring.
    await waitFor(fleet, 30_000, () => false, (c) => c.received, 5_000);

    let memoryPerConnection: Memory | undefined;
    if (before) {
      const after = await memoryNow();
      memoryPerConnection = { rssKb: (after.rssKb - before.rssKb) / counts.connected, heapKb: (after.heapKb - before.heapKb) / counts.connected };
      log(
        `server memory: RSS ${(before.rssKb / 1024).toFixed(0)} → ${(after.rssKb / 1024).toFixed(0)} MiB, heap ${(before.heapKb / 1024).toFixed(0)} → ${(after.heapKb / 1024).toFixed(0)} MiB: ` +
          `${memoryPerConnection.rssKb.toFixed(1)} KB RSS, ${memoryPerConnection.heapKb.toFixed(1)} KB heap per idle connection`,
      );
    }

    // 3. The measured status changes, one every INTERVAL_MS. A worker sends them, so the schedule
    // does not depend on this (busy) process; none waits for an earlier answer except one on the
    // same ticket.
    await fleet.reset();
    const profile = measureMemory && PROFILE_DIR ? await startProfile() : undefined;
    started = Date.now();
    const { result: fired, lateness } = await withLateness(() => fire(fleet, target, EVENTS));
    const mutationTimes = fired.mutationMs;
    const fireSeconds = fired.sentSeconds;
    log(`sent ${EVENTS} status changes over ${fireSeconds.toFixed(1)} s; the last answered ${secondsSince(started)} s after the first was sent`);
    const drainStarted = Date.now();
    const expected = counts.connected * EVENTS;
    const drained = await waitFor(fleet, DRAIN_SECONDS * 1000, (c) => c.received >= expected, (c) => c.received);
    const drainSeconds = (Date.now() - drainStarted) / 1000;
    if (drained.ended === 'timeout') log(`stopped waiting after BENCH_DRAIN_SECONDS=${DRAIN_SECONDS} with deliveries still arriving`);
    // What has arrived by now, before asking the (maybe still busy) server anything else.
    const stats = await fleet.stats();
    if (profile) log(`CPU profile of the server while delivering: ${await profile()}`);
    const measured = fired.sentAt;
    if (measured.size !== EVENTS) log(`warning: found ${measured.size} new status changes on the timeline, expected ${EVENTS}`);

    // 4. Figures over the measured events only; a delivery's latency counts from the moment its change was sent.
    const latencies: number[] = [];
    const perUrl: number[] = urls.map(() => 0);
    for (const [id, sentAt] of measured) {
      const event = stats.events.get(id);
      if (!event) continue;
      for (const at of event.receivedAt) latencies.push(at - sentAt);
      event.perUrl.forEach((n, i) => (perUrl[i] += n));
    }
    latencies.sort((a, b) => a - b);
    const clientsPerUrl = urls.map((_, i) => Math.floor(CLIENTS / urls.length) + (i < CLIENTS % urls.length ? 1 : 0));
    mutationTimes.sort((a, b) => a - b);
    return {
      name,
      floor: target.floor,
      instances: urls.length,
      connected: stats.counts.connected,
      connectSeconds,
      warmupSeconds,
      notLive,
      events: measured.size,
      received: latencies.length,
      reach: latencies.length / (CLIENTS * EVENTS),
      reachPerInstance: perUrl.map((n, i) => n / (clientsPerUrl[i] * EVENTS)),
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: latencies[latencies.length - 1] ?? NaN,
      mutationMedianMs: quantile(mutationTimes, 0.5),
      idleMutationMedianMs,
      lateness: measureMemory && idleLateness ? { idle: idleLateness, delivering: lateness } : undefined,
      fireSeconds,
      cutOff: drained.ended === 'timeout',
      memoryPerConnection,
      errors: stats.counts.errors,
      firstError: stats.counts.firstError,
      dropped: stats.counts.dropped,
      drainSeconds,
    };
  } finally {
    await fleet.stop();
  }
}

// --- main ----------------------------------------------------------------------------------------

const pct = (x: number) => `${(100 * x).toFixed(x < 1 && x > 0.999 ? 2 : 1)} %`;
const msOf = (x: number) => (Number.isNaN(x) ? '—' : x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
const latenessOf = ({ p50, p99 }: Lateness) => `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`;

function describe(r: Result): string {
  return [
    `${r.name}: ${r.connected} of ${CLIENTS} clients connected (${r.connectSeconds.toFixed(1)} s), ${r.notLive} never live after the warm-up`,
    `  reach ${pct(r.reach)} (${r.received} of ${CLIENTS * EVENTS} deliveries${r.instances > 1 ? `; per instance ${r.reachPerInstance.map(pct).join(' / ')}` : ''}),` +
      ` p50 ${msOf(r.p50)}, p99 ${msOf(r.p99)}, max ${msOf(r.max)}; waited ${r.drainSeconds.toFixed(1)} s after the last change was answered` +
      (r.cutOff ? ` (cut off at BENCH_DRAIN_SECONDS=${DRAIN_SECONDS} with deliveries still arriving: reach is a lower bound)` : ''),
    `  ${r.events} changes sent over ${r.fireSeconds.toFixed(1)} s (changeTicketStatus answered in median ${msOf(r.mutationMedianMs)}); ${r.dropped} connections dropped; ${r.errors} errors${r.firstError ? ` (first: ${r.firstError})` : ''}`,
    ...(r.memoryPerConnection ? [`  memory per idle connection: ${r.memoryPerConnection.rssKb.toFixed(1)} KB RSS, ${r.memoryPerConnection.heapKb.toFixed(1)} KB heap`] : []),
    ...(r.lateness ? [`  server event-loop lateness while the changes were sent: ${latenessOf(r.lateness.delivering)} (idle: ${latenessOf(r.lateness.idle)})`] : []),
  ].join('\n');
}

function row(r: Result): string {
  const memory = r.memoryPerConnection ? `${r.memoryPerConnection.rssKb.toFixed(1)} / ${r.memoryPerConnection.heapKb.toFixed(1)}` : '—';
  const reach = r.instances > 1 ? `${pct(r.reach)} (A ${pct(r.reachPerInstance[0])}, B ${pct(r.reachPerInstance[1])})` : pct(r.reach);
  const idle = r.idleMutationMedianMs === undefined ? '' : `; idle ${msOf(r.idleMutationMedianMs)}`;
  const fired = `${r.events} over ${r.fireSeconds.toFixed(1)} s (${r.floor ? 'publish' : 'mutation'} median ${msOf(r.mutationMedianMs)}${idle})`;
  return `| ${r.name} | ${r.connected} / ${CLIENTS} | ${fired} | ${reach}${r.cutOff ? ' ¹' : ''} | ${msOf(r.p50)} | ${msOf(r.p99)} | ${msOf(r.max)} | ${memory} |`;
}

/** Started servers, in start order: stopped in reverse, so the one that owns the database drops it last. */
const running: { stop(): Promise<void> }[] = [];

let stopping = false;
/** Set once the bench is finishing (done, failed, interrupted or out of time): nothing new starts then. */
let stopped: Promise<void> | undefined;

async function stopAll(): Promise<void> {
  stopping = true;
  // The joined instances first, the one that owns (and drops) the database last.
  for (const server of running.splice(0).reverse()) await server.stop().catch((error: unknown) => console.error('stopping a server failed:', error));
  stopping = false;
}

/** After an interruption: drops this run's databases even if a server was still starting (names as in startBenchServer). */
async function dropLeftovers(): Promise<void> {
  for (const name of ['fanout', 'fanout_redis']) {
    await runSql('postgres', `drop database if exists tg_bench_${name}_${process.pid} with (force)`).catch((error: unknown) => console.error(error));
  }
}

async function main(): Promise<void> {
  const needed = CLIENTS + 1_024;
  const limit = openFileLimit();
  if (limit !== undefined && limit < needed) {
    console.error(
      `The open-file limit of this shell is ${limit}, too low for ${CLIENTS} WebSocket connections (the server side of each is a file ` +
        `descriptor of this process; ${needed} needed).\nRaise it first, then rerun:  ulimit -n 65536`,
    );
    process.exit(1);
  }
  if (!(globalThis as { gc?: unknown }).gc) console.warn('Run with node --expose-gc (as npm run bench:fanout does) for a steady memory figure.');
  const lifetimeMs = MAX_SECONDS * 1000 + 30_000;
  log(`fan-out: ${CLIENTS} clients in ${WORKERS} workers, ${EVENTS} status changes every ${INTERVAL_MS} ms; open-file limit ${limit ?? 'unknown'}`);

  const results: Result[] = [];
  // One instance, in-process PubSub.
  {
    const server = await startBenchServer('fanout');
    running.push(server);
    const scene = await seed(server);
    const result = await runScenario('1 instance', ticketgraphTarget(server, [server.app.url], scene, true), true, lifetimeMs);
    console.log(describe(result));
    results.push(result);
    await stopAll();
  }

  // The floor: a bare graphql-ws server pushing the same payload to the same number of clients.
  if (stopped) throw new Error('interrupted');
  const floor = await startFloorProcess();
  running.push(floor);
  const floorResult = await runScenario('floor (bare graphql-ws)', floorTarget(floor), false, lifetimeMs);
  console.log(describe(floorResult));
  await stopAll();
  const ticketgraph = results[0];
  const ratios = {
    p99: ticketgraph.p99 / floorResult.p99,
    mutation: ticketgraph.mutationMedianMs / ticketgraph.idleMutationMedianMs!,
  };
  console.log(
    `1 instance ÷ floor: p99 ${ratios.p99.toFixed(2)}× (target ≤ 2), reach ${pct(ticketgraph.reach)} vs ${pct(floorResult.reach)}; ` +
      `changeTicketStatus while delivering ÷ idle: ${ratios.mutation.toFixed(2)}× (${msOf(ticketgraph.mutationMedianMs)} ÷ ${msOf(ticketgraph.idleMutationMedianMs!)}, target ≤ 2)`,
  );
  results.push(floorResult);

  // Two instances on one database with Redis; half the clients on each, mutations on A.
  let redisNote = '';
  if (stopped) throw new Error('interrupted');
  if (!WITH_REDIS) redisNote = 'Two-instance run skipped (BENCH_REDIS=0).';
  else if (!(await redisAnswers(REDIS_URL))) redisNote = `Two-instance run skipped: no Redis answered at ${REDIS_URL}.`;
  else {
    try {
      const a = await startBenchServer('fanout_redis', { env: { REDIS_URL } });
      running.push(a);
      const b = await startInstanceProcess(a.database, { REDIS_URL });
      running.push(b);
      const scene = await seed(a);
      const result = await runScenario('2 instances + Redis', ticketgraphTarget(a, [a.app.url, b.url], scene, false), false, lifetimeMs);
      console.log(describe(result));
      results.push(result);
      if (result.reachPerInstance[1] < 0.5 * result.reachPerInstance[0]) {
        redisNote = `Clients on instance B received ${pct(result.reachPerInstance[1])} of their events: changes made on A do not (all) reach subscribers on B.`;
      }
    } catch (error) {
      // The single-instance figures still get recorded, with what went wrong here.
      console.error(error);
      redisNote = `Two-instance run failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}.`;
    } finally {
      await stopAll();
    }
  }
  if (redisNote) console.log(redisNote);

  await record('fanout', [
    '### Subscription fan-out (`npm run bench:fanout`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, PostgreSQL${WITH_REDIS ? ' and Redis' : ''} on the same machine.`,
    `\`BENCH_CLIENTS=${CLIENTS} BENCH_EVENTS=${EVENTS} BENCH_WORKERS=${WORKERS} npm run bench:fanout\`: ${CLIENTS.toLocaleString('en')} graphql-ws clients in ${WORKERS} worker processes,`,
    'each subscribed to `ticketStatusChanged { eventId to at }` as the same agent; after a warm-up change has reached every',
    `client, ${EVENTS} status changes (IN_PROGRESS ⇄ WAITING_ON_THIRD_PARTY, with a reason) over ${TICKETS} tickets, fired one every ${INTERVAL_MS} ms`,
    'on schedule through `changeTicketStatus` from a driver process that holds no client (not waiting for earlier answers; never two at once on one ticket).',
    'Before the clients connect, the same changes are timed with nobody subscribed (“idle”).',
    'Floor, in the same run: a bare graphql-ws server (`scripts/fanout-floor.ts`: graphql-ws `useServer`, a trivial schema, no auth, no',
    'database, its own process) pushing a payload of the same shape to the same number of clients, one `POST /publish` per change on the same schedule.',
    'Reach = deliveries ÷ (clients × changes); latency = receive time in the client process − the moment the driver sent the change',
    '(the `changeTicketStatus` request or the floor’s `POST /publish`: one reference point for both, one clock).',
    'Memory: RSS / V8 heap of the process running the (first) server, after forced GC, with all clients connected, subscribed and',
    'idle, minus the same before connecting, ÷ clients (RSS is the noisier of the two). Clients, servers, PostgreSQL and Redis share the cores;',
    'the client processes run at the lowest CPU priority (nice 19), as stand-ins for browsers on other machines.',
    'Two instances: one database, REDIS_URL on both, B in a process of its own, half the clients on each, changes made on A.',
    'Targets: 10,000 clients on one instance with 100 % reach and a p99 within 2× the floor’s; `changeTicketStatus` within 2× its idle',
    'latency while deliveries run; under 25 KB per idle connection.',
    '',
    `Same-run ratios: 1 instance ÷ floor p99 **${ratios.p99.toFixed(2)}×**, reach ${pct(ticketgraph.reach)} vs ${pct(floorResult.reach)}; ` +
      `changeTicketStatus while delivering ÷ idle **${ratios.mutation.toFixed(2)}×** (${msOf(ticketgraph.mutationMedianMs)} ÷ ${msOf(ticketgraph.idleMutationMedianMs!)}).` +
      (ticketgraph.lateness
        ? ` The server's event loop while the changes were sent (a 5 ms timer's lateness): ${latenessOf(ticketgraph.lateness.delivering)}; idle ${latenessOf(ticketgraph.lateness.idle)}.`
        : ''),
    '',
    '| scenario | clients connected | changes fired | reach | p50 | p99 | max | KB per idle connection (RSS / heap) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(row),
    ...(results.some((r) => r.cutOff)
      ? ['', `¹ Deliveries were still arriving when the wait ended, ${DRAIN_SECONDS} s after the last change: reach is a lower bound and the latencies leave out the late ones.`]
      : []),
    ...(redisNote ? ['', redisNote] : []),
  ]);
}

// A server stopped under load aborts the subscription reloads still queued for its database pool;
// those rejections must not kill the bench before it has dropped its database.
let rejections = 0;
process.on('unhandledRejection', (reason) => {
  rejections += 1;
  if (rejections <= 3) console.error(`unhandled rejection${stopped || stopping ? ' while stopping a server' : ''}:`, reason instanceof Error ? reason.message : reason);
  else if (rejections === 4) console.error('(further unhandled rejections are counted, not printed)');
});

let exitCode: number | undefined;
/** Stops everything (once, whoever asks first) and exits with the first code asked for. */
async function finish(code: number): Promise<never> {
  exitCode ??= code;
  stopped ??= stopAll().then(dropLeftovers);
  await stopped;
  if (rejections > 3) console.error(`${rejections} unhandled rejections in all`);
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopped) {
      console.error(`${signal} again: exiting now; a tg_bench_fanout_* database may be left behind.`);
      process.exit(130);
    }
    console.error(`${signal}: stopping the servers and dropping the database…`);
    void finish(130);
  });
}
const watchdog = setTimeout(() => {
  console.error(`bench:fanout ran longer than BENCH_MAX_SECONDS=${MAX_SECONDS}: stopping.`);
  void finish(1);
}, MAX_SECONDS * 1000);
watchdog.unref();

main().then(
  () => finish(0),
  (error: unknown) => {
    console.error(error);
    return finish(1);
  },
);
