import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import pino from 'pino';
import { startApp, type App } from '../src/app';
import { loadConfig } from '../src/config';

/** What every `npm run bench:*` script shares: a throw-away database, the real server, timing and recording. */

const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Node's flags for a server process a benchmark starts, as `npm start` runs the server (package.json):
 * a 32 MB young generation, in which a request's short-lived objects die without being copied out
 * (with Node's default, garbage collection took about a quarter of the CPU of a page of tickets,
 * issue 19). Comparison servers (PostGraphile in bench:api) get the same.
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=32'];

export function urlFor(database: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function runSql(database: string, ...statements: string[]): Promise<void> {
  const client = new Client({ connectionString: urlFor(database) });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Rows of one query on a bench database, straight through `pg` (not through the server's pool). */
export async function querySql<T extends Record<string, unknown>>(database: string, sql: string, params: unknown[] = []): Promise<T[]> {
  return withClient(database, async (client) => (await client.query<T>(sql, params)).rows);
}

/** Runs `work` on one connection of its own to the database. */
export async function withClient<T>(database: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: urlFor(database) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database `name` on the DATABASE_URL server (dropped first if a crashed run left it). */
export async function createDatabase(name: string): Promise<void> {
  await runSql('postgres', `drop database if exists ${name} with (force)`, `create database ${name}`);
}

/** Drops database `name`, closing the connections still open to it. */
export async function dropDatabase(name: string): Promise<void> {
  await runSql('postgres', `drop database if exists ${name} with (force)`);
}

/** One GraphQL request over HTTP; its data, or an error carrying the answer's errors. */
export async function postGraphql(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
  headers: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data!;
}

export interface BenchServer {
  app: App;
  database: string;
  /** SQL statements the server has run so far. */
  statements(): number;
  post(query: string, variables: Record<string, unknown>, token?: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export interface BenchServerOptions {
  /** More environment for the server's `loadConfig`, overriding the defaults (e.g. `{ REDIS_URL }`). */
  env?: Record<string, string>;
  /**
   * Run another instance on this existing bench database (another server's `database`) instead of
   * creating one; its `stop` then leaves the database to the server that created it.
   */
  joinDatabase?: string;
}

/** The real server on a fresh database of the DATABASE_URL server (dropped again by `stop`). */
export async function startBenchServer(name: string, options: BenchServerOptions = {}): Promise<BenchServer> {
  const owner = options.joinDatabase === undefined;
  const database = options.joinDatabase ?? `tg_bench_${name}_${process.pid}`;
  if (owner) await createDatabase(database);
  let app: App;
  try {
    app = await startApp(
      loadConfig({
        PORT: '0',
        DATABASE_URL: urlFor(database),
        JWT_SECRET: 'bench-secret-bench-secret-bench-secret',
        DATA_DIR: path.join(os.tmpdir(), database),
        JOB_INTERVAL_SECONDS: '0',
        // A benchmark's client is one caller asking as fast as it can: the request budget would answer RATE_LIMITED.
        RATE_LIMIT_POINTS: '100000000',
        ...options.env,
      }),
      pino({ level: 'warn' }),
    );
  } catch (error) {
    if (owner) await dropDatabase(database).catch(() => undefined);
    throw error;
  }
  let statements = 0;
  app.database.orm.em.getConnection().getKnex().on('query', () => (statements += 1));
  return {
    app,
    database,
    statements: () => statements,
    post: (query, variables, token) => postGraphql(app.url, query, variables, token),
    async stop() {
      try {
        await app.stop();
      } finally {
        if (owner) await dropDatabase(database);
      }
    },
  };
}

export function stats(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95) };
}

/** The `q`-quantile (0 to 1) of samples already sorted ascending; NaN when there are none. */
export function quantile(sorted: number[], q: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Times `rounds` sequential runs of `run` after one warm-up; milliseconds. */
export async function time(rounds: number, run: (round: number) => Promise<unknown>): Promise<number[]> {
  await run(-1);
  const samples: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const start = performance.now();
    await run(round);
    samples.push(performance.now() - start);
  }
  return samples;
}

export function machine(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}`;
}

/** Replaces (or appends) this benchmark's section of docs/benchmarks.md, between its markers. */
export async function record(name: string, lines: string[]): Promise<void> {
  const file = path.resolve(__dirname, '../../docs/benchmarks.md');
  const section = [`<!-- bench:${name} -->`, ...lines, `<!-- /bench:${name} -->`].join('\n');
  const current = await readFile(file, 'utf8');
  const marker = new RegExp(`<!-- bench:${name} -->[\\s\\S]*<!-- /bench:${name} -->`);
  await writeFile(file, marker.test(current) ? current.replace(marker, section) : `${current.trimEnd()}\n\n${section}\n`);
  console.log('recorded in docs/benchmarks.md');
}

/** Whether a Redis server answers at `url` (within 2 s). */
export async function redisAnswers(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
