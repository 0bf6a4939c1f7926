import { fork } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { SERVER_NODE_FLAGS, startBenchServer } from './bench-support';
import { startWritesFloor } from './bench-writes-floor';

/**
 * A server instance in a process of its own on an existing bench database (this file, forked): like
 * an instance in production it has its own event loop and heap, and the benchmark's clients do not
 * share them. It also times every HTTP request that carries a LABEL_HEADER, from its headers being
 * read to the last byte of the answer being handed to the socket (Node's `http.server.*`
 * diagnostics channels), so a benchmark can tell the server's time from the client's and the network's,
 * and counts the CPU time its process uses and the SQL statements it runs. The process can serve the
 * floor of bench:writes instead (bench-writes-floor.ts), measured the same way.
 */

/** Requests with this header are timed, grouped by its value. */
export const LABEL_HEADER = 'x-bench-label';

/** Server-side request times in milliseconds, by label. */
export type ServerTimes = Record<string, number[]>;

/** What an instance measured over a span: its labelled requests' times, the CPU time its process used, the SQL statements it ran. */
export interface InstanceTimes {
  requests: ServerTimes;
  cpuMs: number;
  statements: number;
}

export interface InstanceProcess {
  url: string;
  /** What it measured since the last call (or its start); starts over. */
  takeTimes(): Promise<InstanceTimes>;
  stop(): Promise<void>;
}

type ToInstance = { type: 'times' } | { type: 'stop' };
type FromInstance = { type: 'ready'; url: string } | ({ type: 'times' } & InstanceTimes);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** BENCH_CPU_PROF=<dir>: each instance writes a V8 CPU profile there when it stops (open it in Chrome DevTools). */
const PROFILE_DIR = process.env.BENCH_CPU_PROF;

/** What the process serves: Ticketgraph, or the floor of bench:writes (bench-writes-floor.ts), timed and counted alike. */
export type InstanceServer = 'ticketgraph' | 'writes-floor';

/** Starts an instance on `database` with `env` for its config (see startBenchServer); resolves once it serves. */
export function startInstanceProcess(database: string, env: Record<string, string> = {}, serves: InstanceServer = 'ticketgraph'): Promise<InstanceProcess> {
  const execArgv = [...SERVER_NODE_FLAGS, ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])];
  const child = fork(__filename, [database, JSON.stringify(env), serves], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!running()) return;
    if (child.connected) child.send({ type: 'stop' } satisfies ToInstance);
    await Promise.race([exited, sleep(15_000)]);
    if (running()) child.kill('SIGKILL');
  };
  // One question at a time per instance: the answers come in the order asked.
  let asked: Promise<unknown> = Promise.resolve();
  const takeTimes = () => {
    const answer = asked.then(
      () =>
        new Promise<InstanceTimes>((resolve, reject) => {
          if (!child.connected) return reject(new Error('the instance has exited'));
          child.once('message', (message: FromInstance) => resolve(message.type === 'times' ? message : { requests: {}, cpuMs: 0, statements: 0 }));
          child.send({ type: 'times' } satisfies ToInstance);
        }),
    );
    asked = answer.catch(() => undefined);
    return answer;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the instance did not start within 60 s'));
    }, 60_000);
    void exited.then(() => reject(new Error(`the instance exited with code ${child.exitCode}`)));
    child.once('message', (message: FromInstance) => {
      clearTimeout(timer);
      if (message.type === 'ready') resolve({ url: message.url, takeTimes, stop });
    });
  });
}

/** The instance's process: serve until the parent says `stop` or goes away. */
async function serve(database: string, env: Record<string, string>, serves: InstanceServer): Promise<void> {
  // Stopped under load, the server aborts the work still queued for its pool; that is not a failure.
  process.on('unhandledRejection', () => undefined);
  let times: ServerTimes = {};
  let cpu = process.cpuUsage();
  let statements = 0;
  const started = new WeakMap<IncomingMessage, number>();
  diagnostics.subscribe('http.server.request.start', (message) => {
    const { request } = message as { request: IncomingMessage };
    if (request.headers[LABEL_HEADER]) started.set(request, performance.now());
  });
  diagnostics.subscribe('http.server.response.finish', (message) => {
    const { request } = message as { request: IncomingMessage };
    const start = started.get(request);
    const label = request.headers[LABEL_HEADER];
    if (start !== undefined && typeof label === 'string') (times[label] ??= []).push(performance.now() - start);
  });

  const server = serves === 'writes-floor' ? await startWritesFloor(database) : await ticketgraph(database, env);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop().catch((error: unknown) => console.error('stopping an instance failed:', error));
    process.exit(0);
  };
  process.on('message', (message: ToInstance) => {
    if (message.type === 'stop') void stop();
    else {
      const used = process.cpuUsage(cpu);
      process.send!({ type: 'times', requests: times, cpuMs: (used.user + used.system) / 1000, statements: server.statements() - statements } satisfies FromInstance);
      times = {};
      cpu = process.cpuUsage();
      statements = server.statements();
    }
  });
  process.on('disconnect', () => void stop());
  process.send!({ type: 'ready', url: server.url } satisfies FromInstance);
}

async function ticketgraph(database: string, env: Record<string, string>): Promise<{ url: string; statements(): number; stop(): Promise<void> }> {
  const server = await startBenchServer('instance', { env, joinDatabase: database });
  return { url: server.app.url, statements: () => server.statements(), stop: () => server.stop() };
}

if (require.main === module) {
  serve(process.argv[2], JSON.parse(process.argv[3]) as Record<string, string>, process.argv[4] as InstanceServer).catch((error: unknown) => {
    console.error('the instance failed to start:', error);
    process.exit(1);
  });
}
