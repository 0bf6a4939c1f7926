import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import pino from 'pino';
import { startApp } from '../src/app';
import { loadConfig } from '../src/config';
import { hashPassword } from '../src/modules/users/auth/passwords';

/**
 * `npm run bench:tickets`: the ticket list at scale. Seeds BENCH_TICKETS tickets (default 100,000)
 * with comments and tags into a fresh database on DATABASE_URL's server, starts the real server, and
 * times the board query (nested fields), deep keyset pages, filters, search and counts over HTTP.
 * Prints medians and p95s and records them in docs/benchmarks.md.
 */
const TICKETS = Number(process.env.BENCH_TICKETS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function urlFor(database: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  return url.toString();
}

async function sql(database: string, ...statements: string[]): Promise<void> {
  const client = new Client({ connectionString: urlFor(database) });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Realistic spread: statuses, priorities, due dates (some overdue, some none), 3 comments a ticket, 0-2 tags. */
async function seed(database: string, passwordHash: string): Promise<void> {
  await sql(
    database,
    `insert into app_user (id, created_at, name, email, role, password_hash)
       select gen_random_uuid(), now(), 'Agent ' || i, 'agent' || i || '@bench.example', 'AGENT', '${passwordHash}'
       from generate_series(1, 50) i`,
    `insert into business (id, created_at, name, domain, account_manager_id)
       select gen_random_uuid(), now(), 'Business ' || i, 'b' || i || '.example',
              (select id from app_user order by id offset (i % 50) limit 1)
       from generate_series(1, 2000) i`,
    `insert into contact (id, created_at, business_id, name, email)
       select gen_random_uuid(), now(), b.id, 'Contact of ' || b.name, 'contact-' || b.id || '@bench.example' from business b`,
    `insert into tag (id, created_at, name) select gen_random_uuid(), now(), n
       from unnest(array['billing','login','outage','printer','feature-request','mobile','api','security']) n`,
    `with agents as (select array_agg(id) ids from app_user),
          businesses as (select array_agg(id) ids from business)
     insert into ticket (id, created_at, updated_at, title, description, status, priority, channel, business_id,
                         assignee_id, due_at, version)
       select gen_random_uuid(), t.created, t.created,
              (array['Printer jam','Cannot log in','Invoice question','App crashes','Slow dashboard'])[1 + i % 5] || ' #' || i,
              'Customer report number ' || i || ': something does not work as expected.',
              (array['OPEN','IN_PROGRESS','WAITING_ON_CUSTOMER','WAITING_ON_THIRD_PARTY','RESOLVED','CLOSED','UNASSIGNED'])[1 + i % 7],
              (array['LOW','MEDIUM','HIGH','URGENT'])[1 + i % 4],
              'EMAIL',
              case when i % 7 = 6 then null else businesses.ids[1 + i % 2000] end,
              agents.ids[1 + i % 50],
              case when i % 5 = 0 then null else t.created + interval '3 days' end,
              1
       from generate_series(1, ${TICKETS}) i, agents, businesses,
            lateral (select now() - (i || ' minutes')::interval created) t`,
    `insert into comment (id, created_at, ticket_id, body, is_internal, author_id, author_name)
       select gen_random_uuid(), t.created_at + (n || ' minutes')::interval, t.id, 'Reply ' || n, n = 2, t.assignee_id, 'Agent'
       from ticket t, generate_series(1, 3) n`,
    `insert into ticket_tag (ticket_id, tag_id)
       select t.id, g.id from ticket t join lateral (select id from tag order by id offset (t.number % 8) limit 1 + t.number % 2) g on true`,
    'analyze',
  );
}

function stats(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p95: at(0.95) };
}

const BOARD = `query Board($first: Int, $after: String, $filter: TicketFilter, $orderBy: TicketOrder) {
  tickets(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    pageInfo { endCursor hasNextPage }
    nodes { id number title status priority dueAt isOverdue
      assignee { name } creator { name } business { name accountManager { name } } contact { name }
      tags { name } comments(first: 3) { totalCount nodes { body author { name } } } }
  }
}`;
const COUNT = `query Count($filter: TicketFilter) { tickets(first: 1, filter: $filter) { totalCount } }`;

async function main(): Promise<void> {
  const database = `tg_bench_${process.pid}`;
  await sql('postgres', `drop database if exists ${database}`, `create database ${database}`);
  const logger = pino({ level: 'warn' });
  const app = await startApp(
    loadConfig({ PORT: '0', DATABASE_URL: urlFor(database), JWT_SECRET: 'bench-secret-bench-secret-bench-secret', DATA_DIR: path.join(os.tmpdir(), database) }),
    logger,
  );
  let statements = 0;
  app.database.orm.em.getConnection().getKnex().on('query', () => (statements += 1));
  try {
    const started = Date.now();
    await seed(database, await hashPassword('bench-password'));
    console.log(`seeded ${TICKETS} tickets, ${TICKETS * 3} comments in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const post = async (query: string, variables: Record<string, unknown>, token?: string) => {
      const response = await fetch(app.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: Record<string, never>; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data!;
    };
    const login = await post('mutation { login(input: { email: "agent1@bench.example", password: "bench-password" }) { token } }', {});
    const token = (login.login as { token: string }).token;

    // A cursor deep in the list: walk 2,000 rows ahead once, then time the page there.
    let deep: string | null = null;
    for (let i = 0; i < 20; i += 1) {
      const page = (await post(BOARD, { first: 100, after: deep }, token)).tickets as { pageInfo: { endCursor: string } };
      deep = page.pageInfo.endCursor;
    }

    const cases: [string, string, Record<string, unknown>][] = [
      ['board, first 50, nested fields', BOARD, { first: 50 }],
      ['board, first 100, nested fields', BOARD, { first: 100 }],
      ['board, page after 2,000 rows (keyset)', BOARD, { first: 50, after: deep }],
      ['status + priority filter, by due date', BOARD, { first: 50, filter: { status: ['OPEN', 'IN_PROGRESS'], priority: ['URGENT'] }, orderBy: { field: 'DUE_AT', direction: 'ASC' } }],
      ['overdue filter', BOARD, { first: 50, filter: { overdue: true } }],
      ['tag filter', BOARD, { first: 50, filter: { tags: ['security'] } }],
      ['search "printer jam #4242"', BOARD, { first: 50, filter: { search: 'printer jam #4242' } }],
      ['totalCount, all tickets', COUNT, {}],
      ['totalCount, overdue', COUNT, { filter: { overdue: true } }],
    ];
    const rows: string[] = [];
    for (const [name, query, variables] of cases) {
      await post(query, variables, token); // warm-up
      const times: number[] = [];
      const before = statements;
      for (let round = 0; round < ROUNDS; round += 1) {
        const start = performance.now();
        await post(query, variables, token);
        times.push(performance.now() - start);
      }
      const perRequest = (statements - before) / ROUNDS;
      const { median, p95 } = stats(times);
      rows.push(`| ${name} | ${median.toFixed(1)} | ${p95.toFixed(1)} | ${perRequest} |`);
      console.log(`${name.padEnd(44)} median ${median.toFixed(1)} ms   p95 ${p95.toFixed(1)} ms   ${perRequest} statements`);
    }

    const machine = `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node.js ${process.version}`;
    const section = [
      '<!-- bench:tickets -->',
      `### Ticket list (\`npm run bench:tickets\`)`,
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}, PostgreSQL on the same machine.`,
      `${TICKETS.toLocaleString('en')} tickets, ${(TICKETS * 3).toLocaleString('en')} comments, 2,000 businesses, 50 agents;`,
      `${ROUNDS} sequential requests per row over HTTP (after one warm-up). Statements include authentication.`,
      '',
      '| query | median ms | p95 ms | SQL statements per request |',
      '| --- | --- | --- | --- |',
      ...rows,
      '<!-- /bench:tickets -->',
    ].join('\n');
    const file = path.resolve(__dirname, '../../docs/benchmarks.md');
    const current = await readFile(file, 'utf8');
    const updated = current.includes('<!-- bench:tickets -->')
      ? current.replace(/<!-- bench:tickets -->[\s\S]*<!-- \/bench:tickets -->/, section)
      : `${current.trimEnd()}\n\n${section}\n`;
    await writeFile(file, updated);
    console.log('recorded in docs/benchmarks.md');
  } finally {
    await app.stop();
    await sql('postgres', `drop database if exists ${database} with (force)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
