import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from 'pg';
import { LABEL_HEADER, startInstanceProcess, type InstanceProcess, type InstanceServer, type InstanceTimes, type ServerTimes } from './bench-instance';
import { createDatabase, dropDatabase, machine, postGraphql, quantile, querySql, record, redisAnswers, withClient } from './bench-support';
import { hashPassword } from '../src/modules/users/auth/passwords';

/**
 * `npm run bench:writes`: concurrent writers. Each writer is an agent working on a ticket of its own
 * (in a business of its own) through the GraphQL HTTP API, in a closed loop (its next write leaves when
 * the last one is answered): status changes (IN_PROGRESS ⇄ WAITING_ON_THIRD_PARTY, the latter with a
 * reason, which also writes a comment) or comments. 1, 8 and 32 writers, against one server instance
 * and against two on the same database (writer i on instance i mod 2); every instance is a process of
 * its own (scripts/bench-instance.ts), so the clients here do not share its event loop.
 *
 * Per case: writes/s, end-to-end p50/p99, the server's own time, CPU and SQL statements per write
 * (bench-instance.ts), the machine's CPU, and pg_stat_activity of the bench database sampled every
 * SAMPLE_MS: how many backends are busy (running a statement or inside a transaction) and the share of
 * them waiting on a lock, by wait_event; for those, the lock, the statement waiting and the ones
 * holding it (pg_blocking_pids). Reports the issue's targets as met or missed, never asserts them, and
 * records everything in docs/benchmarks.md.
 *
 * The same cases also run against the floor (bench-writes-floor.ts: the same SQL over plain `pg`,
 * nothing else), in one or two processes of its own on a database of its own seeded alike, taking turns
 * with Ticketgraph's cases in every round: how far 32 writers outrun one on the floor is what this
 * machine allows any server whose write is a transaction of its own.
 */

/**
 * Each case is measured in BENCH_ROUNDS rounds of BENCH_SECONDS, the cases taking turns, so a burst of
 * other work on this shared machine spoils one round of several cases rather than a whole case; a
 * round's writers start RAMP_SECONDS before it is measured.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const RAMP_SECONDS = 1;
/**
 * Other work on this shared machine would be measured as slowness. Before each round the bench waits
 * (up to BENCH_QUIET_SECONDS) for the machine, with the bench idle, to be busy under QUIET_SHARE; a
 * round in which processes other than the bench's used QUIET_SHARE of the CPU or more does not count
 * when the case has quiet rounds.
 */
const QUIET_SHARE = 0.2;
const QUIET_SECONDS = Number(process.env.BENCH_QUIET_SECONDS ?? 30);
/** Unmeasured writes of each kind by all writers when an instance has started, so V8 has compiled the hot paths. */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
/** BENCH_WRITERS (e.g. `1,32`) and BENCH_INSTANCES (`2`) measure some of the cases only. */
const WRITERS = (process.env.BENCH_WRITERS ?? '1,8,32').split(',').map(Number);
const INSTANCES = (process.env.BENCH_INSTANCES ?? '1,2').split(',').map(Number);
const SAMPLE_MS = 20;
/** Writers set up at once (not measured). */
const SEED_AT_ONCE = 4;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** BENCH_REDIS=0: instances without Redis (then two instances share no PubSub). */
const WITH_REDIS = process.env.BENCH_REDIS !== '0';
/** Names the recorded section (`bench:writes-<label>`) so runs of different code can stand side by side. */
const LABEL = process.env.BENCH_LABEL ?? '';
const DATABASE = `tg_bench_writes_${process.pid}`;
/** Every writer is its own user, so the per-user request budget must not be what limits the rate (or the seeding). */
const NO_RATE_LIMIT = { RATE_LIMIT_POINTS: '100000000' };
/** The floor's own database, so Ticketgraph's consumers do not work on the floor's writes. */
const FLOOR_DATABASE = `tg_bench_writes_floor_${process.pid}`;
/** The issue's targets. */
const TARGET_SERVER_MS = 10;
const TARGET_RATIO = 3;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// --- writers and their writes -------------------------------------------------------------------

const KINDS = ['status change', 'comment'] as const;
type Kind = (typeof KINDS)[number];

interface Writer {
  token: string;
  ticketId: string;
  status: 'IN_PROGRESS' | 'WAITING_ON_THIRD_PARTY';
  comments: number;
}

interface Write {
  /** Groups the timings, here and on the server (LABEL_HEADER). */
  label: string;
  query: string;
  variables: Record<string, unknown>;
  /** What the writer knows once the write has been answered. */
  done(): void;
}

const CHANGE_STATUS = 'mutation($input: ChangeTicketStatusInput!) { changeTicketStatus(input: $input) { ticket { status } } }';
const ADD_COMMENT = 'mutation($input: AddCommentInput!) { addComment(input: $input) { comment { id } } }';

function nextWrite(kind: Kind, writer: Writer): Write {
  if (kind === 'comment') {
    const n = writer.comments + 1;
    return { label: 'comment', query: ADD_COMMENT, variables: { input: { ticketId: writer.ticketId, body: `Update ${n}: still looking into it.` } }, done: () => (writer.comments = n) };
  }
  // Waiting needs a reason (kept as an internal comment too); back to work needs none.
  const to = writer.status === 'IN_PROGRESS' ? 'WAITING_ON_THIRD_PARTY' : 'IN_PROGRESS';
  return {
    label: to === 'IN_PROGRESS' ? 'status' : 'status with reason',
    query: CHANGE_STATUS,
    variables: { input: { ticketId: writer.ticketId, status: to, reason: to === 'IN_PROGRESS' ? null : 'Waiting for the vendor.' } },
    done: () => (writer.status = to),
  };
}

/** In `database`, through the instance at `url`: agent i logs in, creates business i and a ticket there, and starts work on it (OPEN → IN_PROGRESS, assigned to them). */
async function seed(url: string, database: string, count: number): Promise<Writer[]> {
  const password = 'bench-password';
  await querySql(
    database,
    `insert into app_user (id, created_at, name, email, role, password_hash)
       select gen_random_uuid(), now(), 'Writer ' || i, 'writer' || i || '@bench.example', 'AGENT', $1 from generate_series(1, $2::int) i`,
    [await hashPassword(password), count],
  );
  // A few at a time: 32 logins at once (argon2) on a busy machine held the pool past its acquire timeout.
  const writers: Writer[] = [];
  for (let first = 0; first < count; first += SEED_AT_ONCE) {
    writers.push(...(await Promise.all(Array.from({ length: Math.min(SEED_AT_ONCE, count - first) }, (_, j) => seedWriter(url, first + j, password)))));
  }
  return writers;
}

async function seedWriter(url: string, i: number, password: string): Promise<Writer> {
  const login = await postGraphql(url, 'mutation($input: LoginInput!) { login(input: $input) { token } }', { input: { email: `writer${i + 1}@bench.example`, password } });
  const token = (login.login as { token: string }).token;
  const business = await postGraphql(url, 'mutation($input: CreateBusinessInput!) { createBusiness(input: $input) { id } }', { input: { name: `Writer ${i + 1} Ltd`, domain: `w${i + 1}.example` } }, token);
  const created = await postGraphql(
    url,
    'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }',
    { input: { title: `Printer jam #${i + 1}`, description: 'The printer eats every page.', businessId: (business.createBusiness as { id: string }).id } },
    token,
  );
  const ticketId = (created.createTicket as { ticket: { id: string } }).ticket.id;
  await postGraphql(url, CHANGE_STATUS, { input: { ticketId, status: 'IN_PROGRESS' } }, token);
  return { token, ticketId, status: 'IN_PROGRESS' as const, comments: 0 };
}

// --- sampling pg_stat_activity ------------------------------------------------------------------

/** One non-idle backend of the bench database at one sample. */
interface Backend {
  state: string;
  wait_event_type: string | null;
  wait_event: string | null;
  query: string;
  /** For a backend waiting on a lock: the lock (`pg_locks`: its type, and the relation or advisory key). */
  lock: string | null;
  /**
   * For a backend waiting on a lock: `state (wait_event): query` of each backend it waits for that is
   * not itself waiting on a lock (the holders, not the others queued ahead of it).
   */
  blockers: string[] | null;
}

const SAMPLE = `select a.state, a.wait_event_type, a.wait_event, a.query,
       case when a.wait_event_type = 'Lock' then
         (select l.locktype || coalesce(' on ' || l.relation::regclass::text, '') || case when l.locktype = 'advisory' then ' ' || l.objid else '' end
            from pg_locks l where l.pid = a.pid and not l.granted limit 1)
       end as lock,
       case when a.wait_event_type = 'Lock' then
         (select array_agg(b.state || ' (' || coalesce(b.wait_event, 'running') || '): ' || b.query)
            from pg_stat_activity b
           where b.pid = any (pg_blocking_pids(a.pid)) and b.wait_event_type is distinct from 'Lock')
       end as blockers
  from pg_stat_activity a
 where a.datname = current_database() and a.pid <> pg_backend_pid() and a.backend_type = 'client backend' and a.state <> 'idle'`;

/** Samples `database` every SAMPLE_MS on a connection of its own until `stop`, which answers the samples. */
function sampleBackends(database: string): { stop(): Promise<Backend[][]> } {
  let stopping = false;
  const samples: Backend[][] = [];
  const sampling = withClient(database, async (client: Client) => {
    while (!stopping) {
      const started = performance.now();
      // Named, so PostgreSQL plans it once: planned afresh, each sample cost its backend 3–4 ms of CPU, a fifth of a core at this rate.
      samples.push((await client.query<Backend>({ name: 'bench-writes-sample', text: SAMPLE })).rows);
      await sleep(Math.max(0, SAMPLE_MS - (performance.now() - started)));
    }
  });
  return {
    async stop() {
      stopping = true;
      await sampling;
      return samples;
    },
  };
}

const LOCK_EVENTS = ['advisory', 'relation', 'tuple', 'transactionid'] as const;

interface Waits {
  samples: number;
  /** Mean non-idle backends per sample, and of them, running a statement ('active'). */
  busy: number;
  active: number;
  /** Share of the non-idle backends (over all samples) waiting on a lock, by wait_event; `other` for the rest. */
  share: Record<(typeof LOCK_EVENTS)[number] | 'other', number>;
  /** Most frequent `lock ← statement` of waiting backends, and `statement` of what held them up, with counts. */
  waiting: [string, number][];
  holding: [string, number][];
}

/** A statement on one line, its literal values left out (the ORM writes them in), so the same statement counts as one. */
const oneLine = (sql: string) =>
  sql
    .replace(/'(?:[^']|'')*'/g, "'…'")
    .replace(/= \d+/g, '= ?')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);

function top(counts: Map<string, number>, n: number): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function summarize(samples: Backend[][]): Waits {
  const share = { advisory: 0, relation: 0, tuple: 0, transactionid: 0, other: 0 };
  const waiting = new Map<string, number>();
  const holding = new Map<string, number>();
  let busy = 0;
  let active = 0;
  for (const sample of samples) {
    busy += sample.length;
    for (const backend of sample) {
      if (backend.state === 'active') active += 1;
      if (backend.wait_event_type !== 'Lock') continue;
      const event = LOCK_EVENTS.find((e) => e === backend.wait_event) ?? 'other';
      share[event] += 1;
      const key = `${backend.lock ?? backend.wait_event} ← ${oneLine(backend.query)}`;
      waiting.set(key, (waiting.get(key) ?? 0) + 1);
      for (const blocker of backend.blockers ?? []) holding.set(oneLine(blocker), (holding.get(oneLine(blocker)) ?? 0) + 1);
    }
  }
  for (const event of Object.keys(share) as (keyof typeof share)[]) share[event] = busy === 0 ? 0 : share[event] / busy;
  return { samples: samples.length, busy: busy / Math.max(1, samples.length), active: active / Math.max(1, samples.length), share, waiting: top(waiting, 3), holding: top(holding, 3) };
}

// --- one case ----------------------------------------------------------------------------------

/** One measured span of a case. */
interface Round {
  seconds: number;
  /** End-to-end milliseconds, by write label. */
  clientTimes: ServerTimes;
  server: InstanceTimes;
  /** Share of the machine's CPU time (all cores) not idle. */
  busy: number;
  /** Share of it used by processes other than the bench's (instances, this one, the bench database's backends). */
  others: number;
  /** CPU milliseconds the bench's processes used: the instances, this one (the clients) and the bench database's backends. */
  benchCpuMs: number;
  /** Of benchCpuMs: this script's (the clients') and the bench database's backends'. */
  clientCpuMs: number;
  backendsCpuMs: number;
  samples: Backend[][];
}

interface Result {
  serves: InstanceServer;
  instances: number;
  kind: Kind;
  writers: number;
  /** Writes per second and others' CPU share of each round; `perSecond`: the median of the quiet rounds (all if none was). */
  rates: number[];
  others: number[];
  perSecond: number;
  /** End-to-end p50 and p99 over the writes of the rounds the rate is from. */
  p50: number;
  p99: number;
  /** Server milliseconds, by write label. */
  serverTimes: ServerTimes;
  /** CPU milliseconds the instances' processes used, and SQL statements they ran, per write. */
  cpuPerWrite: number;
  statementsPerWrite: number;
  /** CPU milliseconds per write over all the bench's processes (see Round.benchCpuMs). */
  benchCpuPerWrite: number;
  clientCpuPerWrite: number;
  backendsCpuPerWrite: number;
  /** Share of the machine's CPU time (all cores, all processes) not idle while measured. */
  machineBusy: number;
  waits: Waits;
}

/** Busy and total CPU milliseconds of the machine so far, over all cores. */
function machineCpu(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    const all = times.user + times.nice + times.sys + times.idle + times.irq;
    total += all;
    busy += all - times.idle;
  }
  return { busy, total };
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU milliseconds each backend of `database` has used so far, by pid, from /proc (PostgreSQL runs on
 * this machine); none where there is no /proc.
 */
async function backendCpu(database: string): Promise<Map<number, number>> {
  const rows = await querySql<{ pid: number }>(database, `select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // proc(5): utime and stime are fields 14 and 15, the 12th and 13th after the command's closing bracket.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS);
    } catch {
      // Not a process of this machine (or gone): its time counts as others'.
    }
  }
  return cpu;
}

/** Waits up to QUIET_SECONDS for a second in which the machine is busy under QUIET_SHARE. */
async function awaitQuiet(): Promise<void> {
  const deadline = Date.now() + QUIET_SECONDS * 1000;
  for (;;) {
    const before = machineCpu();
    await sleep(1000);
    const after = machineCpu();
    if ((after.busy - before.busy) / (after.total - before.total) < QUIET_SHARE || Date.now() >= deadline) return;
  }
}

function mergeTimes(into: ServerTimes, times: ServerTimes): ServerTimes {
  for (const [label, ms] of Object.entries(times)) (into[label] ??= []).push(...ms);
  return into;
}

/** Where writes go: Ticketgraph's instances or the floor's processes, with their database and the writers seeded there. */
interface Servers {
  serves: InstanceServer;
  database: string;
  processes: InstanceProcess[];
  writers: Writer[];
}

/**
 * The first `count` writers of `servers` in a closed loop over its first `instances` processes (writer i on
 * process i mod n): `warmupSeconds`, then `seconds` measured. A failed write ends the bench: its figures would not be of writes.
 */
async function measure(kind: Kind, servers: Servers, count: number, instances: number, warmupSeconds: number, seconds: number): Promise<Round> {
  const writers = servers.writers.slice(0, count);
  const processes = servers.processes.slice(0, instances);
  let phase: 'warm-up' | 'measured' | 'over' = 'warm-up';
  const clientTimes: ServerTimes = {};
  let failure: unknown;
  const loops = writers.map(async (writer, i) => {
    const url = processes[i % processes.length].url;
    while (phase !== 'over' && failure === undefined) {
      const write = nextWrite(kind, writer);
      const sent = performance.now();
      try {
        await postGraphql(url, write.query, write.variables, writer.token, { [LABEL_HEADER]: write.label });
      } catch (error) {
        failure ??= error;
        return;
      }
      write.done();
      if (phase === 'measured') (clientTimes[write.label] ??= []).push(performance.now() - sent);
    }
  });
  await sleep(warmupSeconds * 1000);
  await Promise.all(processes.map((instance) => instance.takeTimes()));
  const backendsBefore = await backendCpu(servers.database);
  const sampler = sampleBackends(servers.database);
  phase = 'measured';
  const started = performance.now();
  const machineBefore = machineCpu();
  const ownBefore = process.cpuUsage();
  await sleep(seconds * 1000);
  phase = 'over';
  const elapsed = (performance.now() - started) / 1000;
  const machine = machineCpu();
  const own = process.cpuUsage(ownBefore);
  const measured = await Promise.all(processes.map((instance) => instance.takeTimes()));
  const samples = await sampler.stop();
  const backendsAfter = await backendCpu(servers.database);
  await Promise.all(loops);
  if (failure !== undefined) throw failure;
  const server = {
    requests: measured.reduce((all, m) => mergeTimes(all, m.requests), {}),
    cpuMs: measured.reduce((sum, m) => sum + m.cpuMs, 0),
    statements: measured.reduce((sum, m) => sum + m.statements, 0),
  };
  const backendsMs = [...backendsAfter].reduce((sum, [pid, ms]) => sum + ms - (backendsBefore.get(pid) ?? 0), 0);
  const busyMs = machine.busy - machineBefore.busy;
  const totalMs = machine.total - machineBefore.total;
  const benchMs = server.cpuMs + (own.user + own.system) / 1000 + backendsMs;
  return {
    seconds: elapsed,
    clientTimes,
    server,
    busy: busyMs / totalMs,
    others: Math.max(0, busyMs - benchMs) / totalMs,
    benchCpuMs: benchMs,
    clientCpuMs: (own.user + own.system) / 1000,
    backendsCpuMs: backendsMs,
    samples,
  };
}

/** A case's figures: the median rate of its quiet rounds (of all, if none was quiet); latencies, server times, CPU and samples of the same rounds. */
function combine(serves: InstanceServer, instances: number, kind: Kind, writers: number, rounds: Round[]): Result {
  const writes = (round: Round) => Object.values(round.clientTimes).flat();
  const quiet = rounds.filter((round) => round.others < QUIET_SHARE);
  const used = quiet.length > 0 ? quiet : rounds;
  const all = used.flatMap(writes).sort((a, b) => a - b);
  const sum = (of: (round: Round) => number) => used.reduce((total, round) => total + of(round), 0);
  return {
    serves,
    instances,
    kind,
    writers,
    rates: rounds.map((round) => writes(round).length / round.seconds),
    others: rounds.map((round) => round.others),
    perSecond: quantile(used.map((round) => writes(round).length / round.seconds).sort((a, b) => a - b), 0.5),
    p50: quantile(all, 0.5),
    p99: quantile(all, 0.99),
    serverTimes: used.reduce((times, round) => mergeTimes(times, round.server.requests), {}),
    cpuPerWrite: sum((round) => round.server.cpuMs) / all.length,
    statementsPerWrite: sum((round) => round.server.statements) / all.length,
    benchCpuPerWrite: sum((round) => round.benchCpuMs) / all.length,
    clientCpuPerWrite: sum((round) => round.clientCpuMs) / all.length,
    backendsCpuPerWrite: sum((round) => round.backendsCpuMs) / all.length,
    machineBusy: sum((round) => round.busy * round.seconds) / sum((round) => round.seconds),
    waits: summarize(used.flatMap((round) => round.samples)),
  };
}

// --- report --------------------------------------------------------------------------------------

const ms = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(1));
const pct = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.01 ? 2 : 0)} %`;
const median = (times: number[] | undefined) => quantile([...(times ?? [])].sort((a, b) => a - b), 0.5);
const instancesName = (n: number) => (n === 1 ? '1 instance' : `${n} instances`);
const servedBy = (r: Result) => (r.serves === 'writes-floor' ? `floor, ${r.instances === 1 ? '1 process' : `${r.instances} processes`}` : instancesName(r.instances));

function serverMedians(r: Result): string {
  return Object.keys(r.serverTimes)
    .sort()
    .map((label) => `${ms(median(r.serverTimes[label]))} (${label})`)
    .join(', ');
}

function rate(r: Result): string {
  return `${r.perSecond.toFixed(1)} (${r.rates.map((x) => x.toFixed(1)).join(' / ')})`;
}

function row(r: Result): string {
  const { share } = r.waits;
  return (
    `| ${servedBy(r)} | ${r.kind} | ${r.writers} | ${rate(r)} | ${ms(r.p50)} | ${ms(r.p99)} | ${serverMedians(r)} | ` +
    `${ms(r.cpuPerWrite)} | ${ms(r.benchCpuPerWrite)} (${ms(r.clientCpuPerWrite)} / ${ms(r.backendsCpuPerWrite)}) | ${r.statementsPerWrite.toFixed(1)} | ${pct(r.machineBusy)} | ${r.others.map(pct).join(' / ')} | ${r.waits.busy.toFixed(1)} (${r.waits.active.toFixed(1)}) | ${pct(share.advisory)} | ${pct(share.relation)} | ${pct(share.tuple)} | ${pct(share.transactionid)} | ${pct(share.other)} |`
  );
}

function describe(r: Result): string {
  const { share } = r.waits;
  const lines = [
    `${servedBy(r)}, ${r.writers} writer(s), ${r.kind}: ${rate(r)} writes/s, p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms; server p50 ${serverMedians(r)}; server CPU ${ms(r.cpuPerWrite)} ms (all the bench's processes ${ms(r.benchCpuPerWrite)} ms: the clients ${ms(r.clientCpuPerWrite)}, PostgreSQL ${ms(r.backendsCpuPerWrite)}) and ${r.statementsPerWrite.toFixed(1)} SQL statements a write; machine CPU ${pct(r.machineBusy)} busy; others' share by round ${r.others.map(pct).join(' / ')}`,
    `  ${r.waits.samples} samples: ${r.waits.busy.toFixed(1)} busy backends (${r.waits.active.toFixed(1)} active); waiting on locks: ` +
      LOCK_EVENTS.map((e) => `${e} ${pct(share[e])}`).join(', ') +
      `, other ${pct(share.other)}`,
  ];
  for (const [what, count] of r.waits.waiting) lines.push(`  waiting ×${count}: ${what}`);
  for (const [what, count] of r.waits.holding) lines.push(`  held by ×${count}: ${what}`);
  return lines.join('\n');
}

/** The issue's targets, each as a line saying met or missed with its figure. */
function targets(all: Result[]): string[] {
  const verdict = (met: boolean) => (met ? '**met**' : '**missed**');
  const lines: string[] = [];
  const results = all.filter((r) => r.serves === 'ticketgraph');
  const ratioOf = (r: Result) => {
    const base = all.find((b) => b.serves === r.serves && b.instances === r.instances && b.kind === r.kind && b.writers === 1);
    return base && { base, ratio: r.perSecond / base.perSecond };
  };
  const one = results.find((r) => r.instances === 1 && r.writers === 1 && r.kind === 'status change');
  if (one) {
    const plain = median(one.serverTimes.status);
    lines.push(
      `- Status change under ${TARGET_SERVER_MS} ms p50 at one writer (server time, one instance): ${plain.toFixed(2)} ms without a reason ` +
        `(${ms(median(one.serverTimes['status with reason']))} ms with a reason, which also writes a comment): ${verdict(plain < TARGET_SERVER_MS)}.`,
    );
  }
  const advisory = results.filter((r) => r.waits.share.advisory > 0);
  lines.push(
    `- No backend waiting on an advisory lock: ${advisory.length === 0 ? 'none in any sample' : `waits in ${advisory.length} of ${results.length} cases, up to ${pct(Math.max(...advisory.map((r) => r.waits.share.advisory)))} of the busy backends`}: ${verdict(advisory.length === 0)}.`,
  );
  for (const r of results.filter((r) => r.writers === Math.max(...WRITERS))) {
    const ours = ratioOf(r);
    if (!ours) continue;
    const { base, ratio } = ours;
    // However the writes overlap, the machine's cores cannot run more of them a second than what each costs at that concurrency allows.
    const ceiling = (os.cpus().length * 1000) / r.benchCpuPerWrite;
    const floorCase = all.find((f) => f.serves === 'writes-floor' && f.instances === r.instances && f.kind === r.kind && f.writers === r.writers);
    const floor = floorCase && ratioOf(floorCase);
    lines.push(
      `- ${r.writers} writers ≥ ${TARGET_RATIO}× one writer's rate, ${r.kind}s, ${instancesName(r.instances)}: ${r.perSecond.toFixed(1)} ÷ ${base.perSecond.toFixed(1)} = ${ratio.toFixed(2)}×: ${verdict(ratio >= TARGET_RATIO)} ` +
        `(at ${r.writers} writers a write costs ${ms(r.benchCpuPerWrite)} ms of CPU over the bench's processes, so ${os.cpus().length} cores allow at most ${ceiling.toFixed(0)} writes/s, ${(ceiling / base.perSecond).toFixed(1)}× one writer's rate)` +
        (floorCase && floor ? `; the floor in the same rounds: ${floorCase.perSecond.toFixed(1)} ÷ ${floor.base.perSecond.toFixed(1)} = ${floor.ratio.toFixed(2)}×.` : '.'),
    );
  }
  return lines;
}

/** The command as run, with the BENCH_* settings it was given. */
function command(): string {
  const settings = Object.entries(process.env).filter(([name]) => name.startsWith('BENCH_'));
  return [...settings.map(([name, value]) => `${name}=${value}`), 'npm run bench:writes'].join(' ');
}

/** The commit measured, the last one that changed the server's code, and whether the work tree differed. */
function code(): string {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: path.resolve(__dirname, '../..'), encoding: 'utf8' }).trim();
  try {
    const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'src') !== '';
    return `\`${git('rev-parse', '--short', 'HEAD')}\`, src/ as of \`${git('log', '-1', '--format=%h (%s)', '--', 'src')}\`${dirty ? ' with uncommitted changes to src/' : ''}`;
  } catch {
    return 'an unknown commit (no git)';
  }
}

// --- main ----------------------------------------------------------------------------------------

const running: InstanceProcess[] = [];

async function stopAll(): Promise<void> {
  for (const instance of running.splice(0).reverse()) await instance.stop().catch((error: unknown) => console.error('stopping an instance failed:', error));
  for (const database of [DATABASE, FLOOR_DATABASE]) await dropDatabase(database).catch((error: unknown) => console.error(error));
}

/** Starts a process of `servers` (recorded in `running`, to be stopped at the end). */
async function addProcess(servers: Servers, env: Record<string, string>): Promise<void> {
  const started = await startInstanceProcess(servers.database, env, servers.serves);
  running.push(started);
  servers.processes.push(started);
}

/**
 * The floor's database, with the same schema and writers as Ticketgraph's: an instance without
 * consumers migrates it and seeds the writers through the API, then stops.
 */
async function seedFloor(count: number): Promise<Writer[]> {
  await createDatabase(FLOOR_DATABASE);
  const seeder = await startInstanceProcess(FLOOR_DATABASE, { ...NO_RATE_LIMIT, FEED_CONSUMERS: 'false' });
  try {
    return await seed(seeder.url, FLOOR_DATABASE, count);
  } finally {
    await seeder.stop();
  }
}

async function main(): Promise<void> {
  const redis = WITH_REDIS && (await redisAnswers(REDIS_URL));
  const env: Record<string, string> = { ...NO_RATE_LIMIT, ...(redis ? { REDIS_URL } : {}), ...JSON.parse(process.env.BENCH_SERVER_ENV ?? '{}') };
  await createDatabase(DATABASE);
  const ticketgraph: Servers = { serves: 'ticketgraph', database: DATABASE, processes: [], writers: [] };
  // The first instance migrates the database; the second joins it when its cases come.
  await addProcess(ticketgraph, env);
  ticketgraph.writers = await seed(ticketgraph.processes[0].url, DATABASE, Math.max(...WRITERS));
  const floor: Servers = { serves: 'writes-floor', database: FLOOR_DATABASE, processes: [], writers: await seedFloor(Math.max(...WRITERS)) };
  const [settings] = await querySql<{ version: string; fsync: string; synchronous_commit: string }>(
    DATABASE,
    `select current_setting('server_version') as version, current_setting('fsync') as fsync, current_setting('synchronous_commit') as synchronous_commit`,
  );
  console.log(`bench:writes on ${code()}; ${ROUNDS} rounds of ${SECONDS} s per case; PostgreSQL ${settings.version}${redis ? ', Redis' : ', no Redis'}`);

  const results: Result[] = [];
  for (const instances of INSTANCES) {
    for (const servers of [ticketgraph, floor]) {
      while (instances > servers.processes.length) await addProcess(servers, env);
      for (const kind of KINDS) await measure(kind, servers, servers.writers.length, instances, WARMUP_SECONDS, 0);
    }
    // Ticketgraph's cases and the floor's take turns in every round, so their figures are of the same moments.
    const cases = [ticketgraph, floor].flatMap((servers) => KINDS.flatMap((kind) => WRITERS.map((count) => ({ servers, kind, count, rounds: [] as Round[] }))));
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const c of cases) {
        await awaitQuiet();
        c.rounds.push(await measure(c.kind, c.servers, c.count, instances, RAMP_SECONDS, SECONDS));
      }
      console.log(`${instancesName(instances)}: round ${round} of ${ROUNDS} done`);
    }
    for (const c of cases) {
      const result = combine(c.servers.serves, instances, c.kind, c.count, c.rounds);
      console.log(describe(result));
      results.push(result);
    }
  }
  const verdicts = targets(results);
  console.log(verdicts.join('\n'));

  const blocked = results.filter((r) => r.waits.waiting.length > 0);
  await record(LABEL ? `writes-${LABEL}` : 'writes', [
    `### Concurrent writes (\`npm run bench:writes\`)${LABEL ? `: ${LABEL}` : ''}`,
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine()}; PostgreSQL ${settings.version} on the same machine`,
    `(fsync ${settings.fsync}, synchronous_commit ${settings.synchronous_commit})${redis ? ' and Redis' : ''}. Code: ${code()}.`,
    `\`${command()}\`: each writer an agent with a ticket of its own (in a business of its own), writing through`,
    'the GraphQL HTTP API in a closed loop; status changes alternate IN_PROGRESS → WAITING_ON_THIRD_PARTY (with a reason, which',
    `also writes a comment) → IN_PROGRESS; comments are replies. Each case: ${ROUNDS} rounds of ${SECONDS} s (after ${RAMP_SECONDS} s unmeasured), the cases`,
    `taking turns; writes/s is the median of the quiet rounds (all rounds in brackets), latencies are over their writes. When an instance has`,
    `started, ${WARMUP_SECONDS} s of unmeasured writes of each kind by all writers, so V8 has compiled the hot paths. Each instance is a`,
    'process of its own with the default pool (DB_POOL_MAX 10); with two, writer i uses instance i mod 2 (one writer: the first only).',
    'The floor (scripts/bench-writes-floor.ts) answers the same requests with the same SQL over plain `pg` (pool of 10) and nothing else: no',
    'GraphQL, ORM, authentication, rules or consumers; it runs in as many processes, on a database of its own seeded alike, its cases taking',
    'turns with Ticketgraph’s in every round.',
    'Server time: from the request’s headers read to its answer’s last byte written, in the instance (bench-instance.ts); server CPU:',
    'the user + system CPU time of the instances’ processes over the measured seconds ÷ the writes; machine CPU: all cores, all processes',
    '(instances, PostgreSQL, Redis, this script’s clients and anything else running) not idle over the measured seconds; others’ CPU: the',
    'share of the machine’s CPU used in a round by processes other than the instances, this script and the bench database’s backends',
    `(/proc): other work on this shared machine; all CPU: the instances’, this script’s and those backends’ CPU time ÷ the writes (in brackets the last two alone; the backend sampling pg_stat_activity is not among them). Only rounds where that was under ${pct(QUIET_SHARE)} count, if the case has any (the bench waits up to`,
    `${QUIET_SECONDS} s for a quiet second before each round).`,
    `Backends: pg_stat_activity of the bench database every ${SAMPLE_MS} ms; busy = running a statement or inside a transaction (active in`,
    'brackets); lock shares are of the busy backends, by wait_event.',
    '',
    '| instances | writes | writers | writes/s | p50 ms | p99 ms | server p50 ms | server CPU ms a write | all CPU ms a write (clients / PostgreSQL) | SQL statements a write | machine CPU busy | others’ CPU by round | busy backends (active) | advisory | relation | tuple | transactionid | other lock |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...results.map(row),
    '',
    'Targets (issue 17):',
    '',
    ...verdicts,
    ...(blocked.length
      ? [
          '',
          'What waited on locks, and on what (most frequent in the samples):',
          '',
          ...blocked.flatMap((r) => [
            `- ${servedBy(r)}, ${r.writers} writers, ${r.kind}s:`,
            ...r.waits.waiting.map(([what, count]) => `  - ${count}× waiting: \`${what}\``),
            ...r.waits.holding.map(([what, count]) => `  - ${count}× held by: \`${what}\``),
          ]),
        ]
      : []),
  ]);
}

let finishing: Promise<void> | undefined;
async function finish(code: number): Promise<never> {
  finishing ??= stopAll();
  await finishing;
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`${signal}: stopping the instances and dropping ${DATABASE} and ${FLOOR_DATABASE}…`);
    void finish(130);
  });
}
main().then(
  () => finish(0),
  (error: unknown) => {
    console.error(error);
    return finish(1);
  },
);
