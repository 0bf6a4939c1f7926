import { machine, record, runSql, startBenchServer, stats, time } from './bench-support';
import { hashPassword } from '../src/modules/users/auth/passwords';

/**
 * `npm run bench:tickets`: the ticket list at scale. Seeds BENCH_TICKETS tickets (default 100,000)
 * with comments and tags into a fresh database on DATABASE_URL's server, starts the real server, and
 * times the board query (nested fields), deep keyset pages, filters, search and counts over HTTP.
 * Prints medians and p95s and records them in docs/benchmarks.md. The board's first page and its
 * BENCH_DEEP_PAGE-th page (default 1,000; pages of 50) are timed in alternation, so their ratio comes
 * from the same moments of a machine whose speed varies.
 */
const TICKETS = Number(process.env.BENCH_TICKETS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const DEEP_PAGE = Number(process.env.BENCH_DEEP_PAGE ?? 1000);
/** A keyset page costs what the first does: the target for DEEP_PAGE's time ÷ the first page's. */
const DEEP_TARGET = 1.2;

/** Realistic spread: statuses, priorities, due dates (some overdue, some none), 3 comments a ticket, 0-2 tags. */
async function seed(database: string, passwordHash: string): Promise<void> {
  await runSql(
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

const BOARD = `query Board($first: Int, $after: String, $filter: TicketFilter, $orderBy: TicketOrder) {
  tickets(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    pageInfo { endCursor hasNextPage }
    nodes { id number title status priority dueAt isOverdue
      assignee { name } creator { name } business { name accountManager { name } } contact { name }
      tags { name } comments(first: 3) { totalCount nodes { body author { name } } } }
  }
}`;
const WALK = `query Walk($first: Int, $after: String) { tickets(first: $first, after: $after) { pageInfo { endCursor } } }`;
const COUNT = `query Count($filter: TicketFilter) { tickets(first: 1, filter: $filter) { totalCount } }`;

async function main(): Promise<void> {
  const server = await startBenchServer('tickets');
  try {
    const started = Date.now();
    await seed(server.database, await hashPassword('bench-password'));
    console.log(`seeded ${TICKETS} tickets, ${TICKETS * 3} comments in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const login = await server.post('mutation { login(input: { email: "agent1@bench.example", password: "bench-password" }) { token } }', {});
    const token = (login.login as { token: string }).token;

    // The cursor that ends page DEEP_PAGE - 1 of 50, reached by walking pages of 100 that select nothing else.
    const rowsBefore = (DEEP_PAGE - 1) * 50;
    let deep: string | null = null;
    for (let walked = 0; walked < rowsBefore; walked += 100) {
      const page = (await server.post(WALK, { first: Math.min(100, rowsBefore - walked), after: deep }, token)).tickets as { pageInfo: { endCursor: string } };
      deep = page.pageInfo.endCursor;
    }
    const first: number[] = [];
    const deepest: number[] = [];
    await time(ROUNDS, async () => {
      for (const [samples, after] of [[first, null], [deepest, deep]] as const) {
        const start = performance.now();
        await server.post(BOARD, { first: 50, after }, token);
        samples.push(performance.now() - start);
      }
    });
    const [firstStats, deepStats] = [stats(first.slice(1)), stats(deepest.slice(1))];
    const deepRatio = deepStats.median / firstStats.median;
    const deepLine = `page ${DEEP_PAGE.toLocaleString('en')} of the board (after ${rowsBefore.toLocaleString('en')} rows) ÷ its first page, medians of ${ROUNDS} alternating requests each: ${firstStats.median.toFixed(1)} ms and ${deepStats.median.toFixed(1)} ms, **${deepRatio.toFixed(2)}** (target ≤ ${DEEP_TARGET} ${deepRatio <= DEEP_TARGET ? '✓' : '✗'})`;
    console.log(deepLine.replace(/\*\*/g, ''));

    const cases: [string, string, Record<string, unknown>][] = [
      ['board, first 50, nested fields', BOARD, { first: 50 }],
      ['board, first 100, nested fields', BOARD, { first: 100 }],
      [`board, page ${DEEP_PAGE.toLocaleString('en')} (keyset)`, BOARD, { first: 50, after: deep }],
      ['status + priority filter, by due date', BOARD, { first: 50, filter: { status: ['OPEN', 'IN_PROGRESS'], priority: ['URGENT'] }, orderBy: { field: 'DUE_AT', direction: 'ASC' } }],
      ['overdue filter', BOARD, { first: 50, filter: { overdue: true } }],
      ['tag filter', BOARD, { first: 50, filter: { tags: ['security'] } }],
      ['search "printer jam #4242"', BOARD, { first: 50, filter: { search: 'printer jam #4242' } }],
      ['totalCount, all tickets', COUNT, {}],
      ['totalCount, overdue', COUNT, { filter: { overdue: true } }],
    ];
    const rows: string[] = [];
    for (const [name, query, variables] of cases) {
      const before = server.statements();
      const { median, p95 } = stats(await time(ROUNDS, () => server.post(query, variables, token)));
      const perRequest = (server.statements() - before) / (ROUNDS + 1);
      rows.push(`| ${name} | ${median.toFixed(1)} | ${p95.toFixed(1)} | ${perRequest} |`);
      console.log(`${name.padEnd(44)} median ${median.toFixed(1)} ms   p95 ${p95.toFixed(1)} ms   ${perRequest} statements`);
    }
    await record('tickets', [
      '### Ticket list (`npm run bench:tickets`)',
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, PostgreSQL on the same machine.`,
      `${TICKETS.toLocaleString('en')} tickets, ${(TICKETS * 3).toLocaleString('en')} comments, 2,000 businesses, 50 agents;`,
      `${ROUNDS} sequential requests per row over HTTP (after one warm-up). Statements include authentication.`,
      '',
      '| query | median ms | p95 ms | SQL statements per request |',
      '| --- | --- | --- | --- |',
      ...rows,
      '',
      deepLine,
    ]);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
