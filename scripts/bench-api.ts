import { fork, spawn } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import { machine, postGraphql, querySql, record, SERVER_NODE_FLAGS } from './bench-support';
import * as instances from './bench-instance';
import { startInstanceProcess, type InstanceProcess } from './bench-instance';
import { normalize, payloadOf, Q1, Q1_FLOOR_SQL, Q2, Q3 } from './bench-api-queries';
import { toGlobalId } from '../src/shared/global-id';

/**
 * `npm run bench:api [-- --database NAME] [--no-record]`: Ticketgraph against PostGraphile 4.14.1 on
 * the same 100,000-ticket database (issue 19). Reuses the database `seed:load` filled when it holds
 * TICKETS tickets, and runs `seed:load --tickets 100000` into it otherwise. Then it starts, each in
 * a process of its own, Ticketgraph (the production build, signed in as an agent, so every access rule
 * applies) and PostGraphile (bench-api-postgraphile.ts, which also serves the SQL floor of Q1), checks
 * that Q1, Q2 and Q3 answer the same tickets and fields on both, and drives each query with autocannon
 * (CONNECTIONS connections) in rounds, the servers' order turning by one each round. It prints requests/s, p50 and p99 per server (medians over the rounds),
 * the ratio Ticketgraph ÷ PostGraphile (the median of each round's ratio: the machine may be busy,
 * and only figures from the same moment compare), the floor, and Ticketgraph's SQL statements per
 * request (of which authentication). Records the table in docs/benchmarks.md.
 *
 * `--before DIR`: also drive another build of Ticketgraph (DIR is its `dist`, e.g. of the previous
 * commit) in the same rounds, so before and after are measured at the same moments.
 *
 * Environment: DATABASE_URL (the PostgreSQL server; default the local one), BENCH_ROUNDS (default 5),
 * BENCH_SECONDS per run (default 8).
 */

function option(name: string, fallback: string): string {
  const args = process.argv.slice(2);
  const index = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (index < 0) return fallback;
  return args[index].includes('=') ? args[index].slice(args[index].indexOf('=') + 1) : args[index + 1];
}

const DATABASE = option('database', 'ticketgraph_load_100k');
const RECORD = !process.argv.includes('--no-record');
const BEFORE = option('before', '');
const TICKETS = 100_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 10;
const EMAIL = 'agent1@load.example';
const PASSWORD = 'load-password';

/** The database `seed:load` made, or a new one from it: seeding 100,000 tickets takes a few minutes. */
async function ensureDatabase(): Promise<void> {
  const exists = (await querySql<{ n: number }>('postgres', 'select count(*)::int as n from pg_database where datname = $1', [DATABASE]))[0].n > 0;
  if (exists) {
    const [{ n }] = await querySql<{ n: number }>(DATABASE, 'select count(*)::int as n from ticket').catch(() => [{ n: -1 }]);
    if (n === TICKETS) return console.log(`reusing ${DATABASE} (${n} tickets)`);
    console.log(`${DATABASE} holds ${n} tickets, not ${TICKETS}: seeding it again`);
  }
  const script = path.resolve(__dirname, 'seed-load.js');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-semi-space-size=64', script, '--tickets', String(TICKETS), '--database', DATABASE], { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`seed:load exited with ${code}`))));
  });
}

interface Comparison {
  url: string;
  stop(): void;
}

function startPostGraphile(): Promise<Comparison> {
  const child = fork(path.resolve(__dirname, 'bench-api-postgraphile.js'), [DATABASE, Q1_FLOOR_SQL], { execArgv: SERVER_NODE_FLAGS, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`PostGraphile exited with ${code}`)));
    child.once('message', (message: { url: string }) => resolve({ url: message.url, stop: () => child.connected && child.send({ type: 'stop' }) }));
  });
}

/** A target autocannon drives: one server, one query. */
interface Target {
  url: string;
  body: string;
  headers: Record<string, string>;
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
}

async function drive(target: Target, seconds: number): Promise<Run> {
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: target.body,
    connections: CONNECTIONS,
    duration: seconds,
  });
  if (result.errors > 0 || result.non2xx > 0 || result.timeouts > 0) {
    throw new Error(`${target.url}: ${result.errors} errors, ${result.non2xx} non-2xx answers, ${result.timeouts} timeouts`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main(): Promise<void> {
  // Both servers run as in production (graphql-js skips its development checks there); they inherit it.
  process.env.NODE_ENV = 'production';
  await ensureDatabase();
  const [{ ticket_id: q2Ticket }] = await querySql<{ ticket_id: string }>(
    DATABASE,
    'select ticket_id from comment group by ticket_id order by count(*) desc, ticket_id limit 1',
  );
  const postgraphile = await startPostGraphile();
  // The mail, notification and webhook consumers poll the timeline: off, so the instances serve only the load.
  const env = { FEED_CONSUMERS: 'false' };
  const ticketgraph = await startInstanceProcess(DATABASE, env);
  const before = BEFORE ? await ((await import(path.resolve(BEFORE, 'scripts/bench-instance.js'))) as typeof instances).startInstanceProcess(DATABASE, env) : null;
  try {
    const login = await postGraphql(ticketgraph.url, 'mutation($input: LoginInput!) { login(input: $input) { token } }', { input: { email: EMAIL, password: PASSWORD } });
    const token = (login.login as { token: string }).token;
    const pgUrl = `${postgraphile.url}/graphql`;
    const queries = [
      { name: 'Q1 board', q: Q1, tg: {}, pg: {} },
      { name: 'Q2 one ticket', q: Q2, tg: { id: toGlobalId('Ticket', q2Ticket) }, pg: { id: q2Ticket } },
      { name: 'Q3 urgent queue', q: Q3, tg: {}, pg: {} },
    ];

    // Same tickets, same fields: both answers in normal form must be equal.
    for (const { name, q, tg, pg } of queries) {
      const ours = normalize(payloadOf((await postGraphql(ticketgraph.url, q.ticketgraph, tg, token)) as never));
      const theirs = normalize(payloadOf((await postGraphql(pgUrl, q.postgraphile, pg)) as never));
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        throw new Error(`${name}: the answers differ.\nTicketgraph: ${JSON.stringify(ours).slice(0, 2000)}\nPostGraphile: ${JSON.stringify(theirs).slice(0, 2000)}`);
      }
    }
    const floorAnswer = (await (await fetch(`${postgraphile.url}/floor`, { method: 'POST' })).json()) as { data: Record<string, never> };
    const boardAnswer = await postGraphql(ticketgraph.url, Q1.ticketgraph, {}, token);
    if (JSON.stringify(normalize(payloadOf(floorAnswer.data))) !== JSON.stringify(normalize(payloadOf(boardAnswer as never)))) {
      throw new Error('The SQL floor does not answer what Ticketgraph answers to Q1.');
    }
    console.log('Q1, Q2 and Q3 answer the same tickets and fields on both; the floor answers Q1 as Ticketgraph does');

    // Statements per request, counted by the instance over sequential requests. Its feed consumers
    // are off (FEED_CONSUMERS=false): nothing else runs a statement there.
    const SEQUENTIAL = 20;
    const statementsOf = async (instance: InstanceProcess, query: string, variables: Record<string, unknown>) => {
      await instance.takeTimes();
      for (let i = 0; i < SEQUENTIAL; i += 1) await postGraphql(instance.url, query, variables, token);
      return (await instance.takeTimes()).statements / SEQUENTIAL;
    };
    const authStatements = await statementsOf(ticketgraph, '{ __typename }', {});
    const statements = new Map<string, number>();
    for (const [side, instance] of [['Ticketgraph', ticketgraph], ['Ticketgraph before', before]] as const) {
      if (instance) for (const { name, q, tg } of queries) statements.set(`${side}|${name}`, await statementsOf(instance, q.ticketgraph, tg));
    }

    const target = (url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}): Target => ({
      url,
      body: JSON.stringify({ query, variables }),
      headers,
    });
    const auth = { authorization: `Bearer ${token}` };
    // The servers each round drives, Ticketgraph's builds first; PostGraphile is what they are compared with.
    const servers = [{ name: 'Ticketgraph', url: ticketgraph.url }, ...(before ? [{ name: 'Ticketgraph before', url: before.url }] : [])];
    const sides = [...servers.map((s) => s.name), 'PostGraphile'];
    const pairs = queries.map(({ name, q, tg, pg }) => ({
      name,
      targets: new Map<string, Target>([
        ...servers.map((server): [string, Target] => [server.name, target(server.url, q.ticketgraph, tg, auth)]),
        ['PostGraphile', target(pgUrl, q.postgraphile, pg)],
      ]),
    }));
    const floor: Target = { url: `${postgraphile.url}/floor`, body: '{}', headers: {} };

    console.log(`warming up, then ${ROUNDS} rounds of ${SECONDS} s per server and query (the order turns each round), ${CONNECTIONS} connections`);
    for (const pair of pairs) for (const side of sides) await drive(pair.targets.get(side)!, 2);
    await drive(floor, 2);

    const runs = new Map(pairs.map((p) => [p.name, new Map(sides.map((side) => [side, [] as Run[]]))]));
    const ratios = new Map(pairs.map((p) => [p.name, new Map(servers.map((server) => [server.name, [] as number[]]))]));
    const floorRuns: Run[] = [];
    const floorRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const pair of pairs) {
        const order = sides.map((_, i) => sides[(i + round) % sides.length]);
        const result = new Map<string, Run>();
        for (const side of order) result.set(side, await drive(pair.targets.get(side)!, SECONDS));
        for (const side of sides) runs.get(pair.name)!.get(side)!.push(result.get(side)!);
        const theirs = result.get('PostGraphile')!.rps;
        for (const server of servers) ratios.get(pair.name)!.get(server.name)!.push(result.get(server.name)!.rps / theirs);
        console.log(`round ${round + 1} ${pair.name}: ${sides.map((side) => `${side} ${result.get(side)!.rps.toFixed(0)} req/s`).join(', ')}`);
        if (pair.name.startsWith('Q1')) {
          const run = await drive(floor, SECONDS);
          floorRuns.push(run);
          floorRatios.push(result.get('Ticketgraph')!.rps / run.rps);
        }
      }
    }

    const m = (list: Run[], key: keyof Run) => median(list.map((r) => r[key]));
    const lines = [
      '### Ticketgraph against PostGraphile (`npm run bench:api`, issue 19)',
      '',
      `\`npm run bench:api${before ? ' -- --before <previous build>' : ''}\` on ${machine()}, ${new Date().toISOString().slice(0, 10)}: ` +
        `${TICKETS.toLocaleString('en')} tickets (seed:load), ${ROUNDS} rounds of ${SECONDS} s per server and query (the order turning each round), ` +
        `${CONNECTIONS} connections, medians over the rounds. Ticketgraph runs as an agent (access control on); PostGraphile 4.14.1 has none. ` +
        `The machine was shared with other work: only the ratios (each taken within one round) compare.`,
      '',
      '| query | server | req/s | p50 / p99 ms | ÷ PostGraphile (median, range) | SQL statements per request |',
      '| --- | --- | ---: | ---: | ---: | ---: |',
      ...pairs.flatMap(({ name }) =>
        sides.map((side) => {
          const list = runs.get(name)!.get(side)!;
          const mine = ratios.get(name)!.get(side);
          return (
            `| ${name} | ${side} | ${m(list, 'rps').toFixed(0)} | ${m(list, 'p50')} / ${m(list, 'p99')} | ` +
            `${mine ? `**${median(mine).toFixed(2)}** (${Math.min(...mine).toFixed(2)}–${Math.max(...mine).toFixed(2)})` : ''} | ` +
            `${statements.get(`${side}|${name}`)?.toFixed(1) ?? '1 (no access control)'} |`
          );
        }),
      ),
      '',
      `SQL floor of Q1 (one hand-written statement producing Q1's JSON, served over HTTP from PostGraphile's process): ` +
        `${m(floorRuns, 'rps').toFixed(0)} req/s, p50 ${m(floorRuns, 'p50')} ms, p99 ${m(floorRuns, 'p99')} ms; Ticketgraph reaches **${median(floorRatios).toFixed(2)}** of it. ` +
        `Authentication alone (\`{ __typename }\` with the agent's session token) costs ${authStatements.toFixed(1)} statement(s) per request, counted in the figures above.`,
    ];
    console.log(lines.join('\n'));
    if (RECORD) await record('api', lines);
  } finally {
    postgraphile.stop();
    await ticketgraph.stop();
    await before?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
