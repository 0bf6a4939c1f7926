import { MikroORM } from '@mikro-orm/postgresql';
import { machine, querySql, record, startBenchServer, stats, urlFor, withClient } from './bench-support';
import { migrationOnlyConfig } from '../src/db/migrations.config';
import { countTickets } from '../src/modules/reports/roll-up.writer';
import { toGlobalId } from '../src/shared/global-id';

/**
 * `npm run bench:reports [-- --database ticketgraph_load]`: the reports at scale. Runs the real server
 * on the database that `npm run seed:load` filled (it is neither created nor dropped here), signs in
 * as an agent, and times each report as its own request over HTTP for three scopes: the whole range
 * (earliest ticket to now), the business with the most tickets, and the agent with the most tickets.
 * Prints medians and p95s and records them in docs/benchmarks.md.
 *
 * Options: --database NAME (default ticketgraph_load), --email / --password of the staff member to
 * sign in as (default agent1@load.example / load-password, as seed:load creates them);
 * --only TEXT (just the rows whose report or scope name contains TEXT; implies --no-record);
 * --no-record (print only); BENCH_ROUNDS (default 20) timed requests per row after BENCH_WARMUPS (default 3).
 */

function option(name: string, fallback: string): string {
  const args = process.argv.slice(2);
  const index = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (index < 0) return fallback;
  return args[index].includes('=') ? args[index].slice(args[index].indexOf('=') + 1) : args[index + 1];
}

const DATABASE = option('database', 'ticketgraph_load');
const EMAIL = option('email', 'agent1@load.example');
const PASSWORD = option('password', 'load-password');
const ONLY = option('only', '');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const WARMUPS = Number(process.env.BENCH_WARMUPS ?? 3);

const report = (selection: string) =>
  `query Report($range: ReportRangeInput!, $filter: TicketFilter) { reports(range: $range, filter: $filter) { ${selection} } }`;

const VOLUME_FIELDS = 'total groups { group { dimension key label } count } series { start created resolved backlog }';

/** One report field per request. */
const REPORTS: [string, string][] = [
  ['ticketVolume, by status, monthly series', report(`ticketVolume(groupBy: [STATUS], interval: MONTH) { ${VOLUME_FIELDS} }`)],
  ['ticketVolume, by tag, monthly series', report(`ticketVolume(groupBy: [TAG], interval: MONTH) { ${VOLUME_FIELDS} }`)],
  ['ticketVolume, by assignee × priority, monthly series', report(`ticketVolume(groupBy: [ASSIGNEE, PRIORITY], interval: MONTH) { ${VOLUME_FIELDS} }`)],
  [
    'resolutionTimes, by priority',
    report(
      'resolutionTimes(groupBy: [PRIORITY]) { group { key } resolution { count meanHours medianHours p90Hours } resolutionBusiness { medianHours } ' +
        'firstResponse { count medianHours p90Hours } firstResponseBusiness { medianHours } }',
    ),
  ],
  [
    'slaCompliance, by priority',
    report('slaCompliance(groupBy: [PRIORITY]) { group { key } tickets firstResponse { met breached pending rate } resolution { met breached pending rate } }'),
  ],
  ['satisfaction, by channel', report('satisfaction(groupBy: [CHANNEL]) { group { key } resolved rated responseRate meanScore distribution }')],
  [
    'agentPerformance',
    report(
      'agentPerformance { agent { id name } assigned resolved reopened medianResolutionHours medianFirstResponseHours slaComplianceRate meanSatisfaction openTickets }',
    ),
  ],
  [
    'recurringIssues (min 3)',
    report('recurringIssues(minOccurrences: 3) { tags { key label count } businesses { key label count } titleClusters { title count examples { id title } } }'),
  ],
];

const WRITES = 200;

interface WriteCost {
  name: string;
  /** The write as the app runs it now (the roll-ups are a feed consumer: nothing of theirs runs in it). */
  withRollUps: number;
  /** The same write with no roll-up at all: with every user trigger of the tables it touches disabled (there are none). */
  without: number;
  /** What the consumer spends later, off the write path, on the ticket the write changed: one ticket a batch, and per ticket of a batch of WRITES. */
  consumerAlone: number;
  consumerBatched: number;
}

/**
 * What the report roll-ups cost a write: the median time of a status change (OPEN ⇄ IN_PROGRESS) and
 * of a new ticket (a copy of an open one), WRITES of each on open tickets of the data set, as the app
 * runs them and with the tables' user triggers disabled, each batch in a transaction that is rolled
 * back; and what the roll-ups' consumer spends on those tickets afterwards, in its own transaction.
 */
async function writeCost(): Promise<WriteCost[]> {
  const orm = await MikroORM.init(migrationOnlyConfig(urlFor(DATABASE)));
  try {
    return await withClient(DATABASE, async (client) => {
      const [{ triggers }] = (
        await client.query<{ triggers: string }>(
          `select count(*)::text as triggers from pg_trigger where not tgisinternal and tgrelid in ('ticket'::regclass, 'ticket_event'::regclass, 'ticket_tag'::regclass)`,
        )
      ).rows;
      if (Number(triggers) > 0) console.log(`note: ${triggers} user triggers on ticket, ticket_event and ticket_tag`);
      const ids = (
        await client.query<{ id: string }>(
          `select id from ticket where status in ('OPEN', 'IN_PROGRESS') and assignee_id is not null and business_id is not null order by id limit ${2 * WRITES}`,
        )
      ).rows.map((row) => row.id);
      // Samples of one variant: a batch of writes in a transaction, rolled back.
      const sample = async (sql: string, tickets: string[], triggers: boolean) => {
        await client.query('begin');
        if (!triggers) for (const table of ['ticket', 'ticket_event', 'ticket_tag']) await client.query(`alter table ${table} disable trigger user`);
        const samples: number[] = [];
        for (const id of tickets) {
          const started = performance.now();
          await client.query(sql, [id]);
          samples.push(performance.now() - started);
        }
        await client.query('rollback');
        return samples;
      };
      // The two variants in turns of a quarter each, so that the machine's moods fall on both alike.
      const medians = async (sql: string) => {
        const [withRollUps, without]: number[][] = [[], []];
        for (let turn = 0; turn < 4; turn += 1) {
          const part = (offset: number) => ids.slice(offset + (turn * WRITES) / 4, offset + ((turn + 1) * WRITES) / 4);
          withRollUps.push(...(await sample(sql, part(0), true)));
          without.push(...(await sample(sql, part(WRITES), false)));
        }
        return { withRollUps: stats(withRollUps).median, without: stats(without).median };
      };
      // The consumer's share of the same writes: each ticket changed, then counted, all rolled back.
      const consumer = async (sql: string, tickets: string[]) => {
        const em = orm.em.fork();
        await em.begin();
        try {
          for (const id of tickets) await em.execute(sql.replace('$1', '?'), [id]);
          const changed = sql.startsWith('insert')
            ? (await em.execute<{ id: string }[]>(`select id from ticket where created_at = now()`)).map((row) => row.id)
            : tickets;
          const alone: number[] = [];
          for (const id of changed.slice(0, WRITES / 2)) {
            const started = performance.now();
            await countTickets(em, [id]);
            alone.push(performance.now() - started);
          }
          const rest = changed.slice(WRITES / 2);
          const started = performance.now();
          await countTickets(em, rest);
          return { alone: stats(alone).median, batched: (performance.now() - started) / rest.length };
        } finally {
          await em.rollback();
        }
      };
      const writes: [string, string][] = [
        ['status change', `update ticket set status = case status when 'OPEN' then 'IN_PROGRESS' else 'OPEN' end where id = $1`],
        [
          'new ticket',
          `insert into ticket (id, created_at, updated_at, title, description, status, priority, channel, business_id, assignee_id, creator_id, due_at, first_response_due_at)
           select gen_random_uuid(), now(), now(), title, description, 'OPEN', priority, channel, business_id, assignee_id, creator_id, due_at, first_response_due_at
             from ticket where id = $1`,
        ],
      ];
      const costs: WriteCost[] = [];
      for (const [name, sql] of writes) {
        const { alone, batched } = await consumer(sql, ids.slice(0, WRITES));
        costs.push({
          name,
          ...(await medians(sql)),
          consumerAlone: alone,
          consumerBatched: batched,
        });
      }
      return costs;
    });
  } finally {
    await orm.close(true);
  }
}

interface Scope {
  name: string;
  filter: Record<string, unknown> | null;
  targetMs: number;
}

async function main(): Promise<void> {
  const found = await querySql('postgres', 'select 1 from pg_database where datname = $1', [DATABASE]);
  if (found.length === 0) {
    throw new Error(
      `Database "${DATABASE}" does not exist on ${new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').host}. ` +
        'Load it first: npm run seed:load -- --tickets 1000000 (or pass --database NAME).',
    );
  }
  const tables = await querySql<{ ticket: string }>(DATABASE, "select to_regclass('ticket')::text as ticket");
  if (!tables[0].ticket) throw new Error(`Database "${DATABASE}" has no ticket table: load it with npm run seed:load.`);

  const [counts] = await querySql<Record<string, string>>(
    DATABASE,
    `select (select count(*) from ticket)::text as tickets, (select count(*) from comment)::text as comments,
            (select count(*) from ticket_event)::text as events, (select count(*) from satisfaction_rating)::text as ratings,
            (select count(*) from business)::text as businesses, (select count(*) from app_user where role = 'AGENT')::text as agents,
            (select min(created_at) from ticket) as earliest`,
  );
  if (Number(counts.tickets) === 0) throw new Error(`Database "${DATABASE}" has no tickets: load it with npm run seed:load.`);
  const [business] = await querySql<{ id: string; name: string; n: string }>(
    DATABASE,
    `select b.id, b.name, t.n::text as n from (select business_id, count(*) n from ticket where business_id is not null group by 1 order by 2 desc limit 1) t
       join business b on b.id = t.business_id`,
  );
  // A business of median size: a real desk's dashboards mostly show businesses like this one.
  const [typical] = await querySql<{ id: string; name: string; n: string }>(
    DATABASE,
    `select b.id, b.name, t.n::text as n from (select business_id, count(*) n from ticket where business_id is not null group by 1 order by 2
        offset (select count(distinct business_id) / 2 from ticket) limit 1) t
       join business b on b.id = t.business_id`,
  );
  const [agent] = await querySql<{ id: string; name: string; n: string }>(
    DATABASE,
    `select u.id, u.name, t.n::text as n from (select assignee_id, count(*) n from ticket where assignee_id is not null group by 1 order by 2 desc limit 1) t
       join app_user u on u.id = t.assignee_id`,
  );
  const fmt = (n: string | number) => Number(n).toLocaleString('en');
  const range = { from: new Date(counts.earliest).toISOString(), to: new Date().toISOString() };
  const scopes: Scope[] = [
    { name: 'whole range', filter: null, targetMs: 500 },
    { name: `one business (${fmt(business.n)} tickets)`, filter: { businessId: toGlobalId('Business', business.id) }, targetMs: 50 },
    { name: `one median business (${fmt(typical.n)} tickets)`, filter: { businessId: toGlobalId('Business', typical.id) }, targetMs: 50 },
    { name: `one agent (${fmt(agent.n)} tickets)`, filter: { assigneeId: toGlobalId('User', agent.id) }, targetMs: 50 },
  ];
  console.log(
    `${DATABASE}: ${fmt(counts.tickets)} tickets, ${fmt(counts.comments)} comments, ${fmt(counts.events)} timeline entries, ` +
      `${fmt(counts.ratings)} ratings; range ${range.from} – ${range.to}`,
  );

  const server = await startBenchServer('reports', { joinDatabase: DATABASE });
  const rows: string[] = [];
  const failures: string[] = [];
  try {
    let token: string;
    try {
      const login = await server.post('mutation($input: LoginInput!) { login(input: $input) { token } }', { input: { email: EMAIL, password: PASSWORD } });
      token = (login.login as { token: string }).token;
    } catch (error) {
      throw new Error(`Could not sign in as ${EMAIL} (pass --email/--password as seed:load printed them): ${(error as Error).message}`);
    }

    for (const scope of scopes) {
      for (const [name, query] of REPORTS) {
        if (ONLY && !`${name} ${scope.name}`.includes(ONLY)) continue;
        const variables = { range, filter: scope.filter };
        const run = () => server.post(query, variables, token);
        try {
          for (let i = 0; i < WARMUPS; i += 1) await run();
          const before = server.statements();
          const samples: number[] = [];
          for (let round = 0; round < ROUNDS; round += 1) {
            const started = performance.now();
            await run();
            samples.push(performance.now() - started);
          }
          const perRequest = Math.round((server.statements() - before) / ROUNDS);
          const { median, p95 } = stats(samples);
          const met = p95 < scope.targetMs ? '✓' : '✗';
          rows.push(`| ${name} | ${scope.name} | ${median.toFixed(1)} | ${p95.toFixed(1)} | < ${scope.targetMs} ${met} | ${perRequest} |`);
          console.log(`${name.padEnd(52)} ${scope.name.padEnd(40)} median ${median.toFixed(1).padStart(7)} ms   p95 ${p95.toFixed(1).padStart(7)} ms   target < ${scope.targetMs} ${met}   ${perRequest} statements`);
        } catch (error) {
          const message = `${name} (${scope.name}): ${(error as Error).message}`;
          failures.push(message);
          console.error(`ERROR ${message}`);
        }
      }
    }
  } finally {
    await server.stop();
  }

  if (failures.length > 0) {
    console.error(`\n${failures.length} report requests answered with errors; nothing recorded.`);
    process.exit(1);
  }
  const writes = await writeCost();
  for (const w of writes) {
    console.log(
      `${w.name.padEnd(20)} median ${w.withRollUps.toFixed(2)} ms with the roll-ups, ${w.without.toFixed(2)} ms with none ` +
        `(+${(w.withRollUps - w.without).toFixed(2)} ms); the consumer later: ${w.consumerAlone.toFixed(2)} ms for the ticket alone, ${w.consumerBatched.toFixed(2)} ms per ticket in a batch of ${WRITES / 2}`,
    );
  }
  if (ONLY || process.argv.includes('--no-record')) return;
  await record('reports', [
    '### Reports (`npm run bench:reports`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, PostgreSQL on the same machine.`,
    `Data set: \`npm run seed:load -- --tickets ${counts.tickets}\` (database \`${DATABASE}\`): ${fmt(counts.tickets)} tickets over two years,`,
    `${fmt(counts.comments)} comments, ${fmt(counts.events)} timeline entries, ${fmt(counts.ratings)} ratings, ${fmt(counts.businesses)} businesses, ${fmt(counts.agents)} agents.`,
    `Each report is its own request over HTTP (\`POST /graphql\`, signed in as an agent): ${ROUNDS} sequential requests per row after ${WARMUPS} warm-ups.`,
    'Whole range: from the earliest ticket to now (UTC). One business: the business with the most tickets, and one of median size; one agent:',
    'the agent with the most assigned tickets (`filter.businessId` / `filter.assigneeId`). ✓ when the p95 is under the target.',
    'Statements include authentication and the report transaction’s settings.',
    `Rerun: \`npm run seed:load -- --tickets 1000000\` once, then \`npm run bench:reports\` (options: \`--database\`, \`BENCH_ROUNDS\`).`,
    '',
    '| report | scope | median ms | p95 ms | target ms | SQL statements per request |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `What the roll-ups cost a write: median of ${WRITES} writes on open tickets as the app runs them (the roll-ups are a feed consumer, no trigger),`,
    'and with every user trigger of ticket, ticket_event and ticket_tag disabled (no roll-up at all), rolled back; and what the roll-ups’ consumer',
    `spends later on the changed ticket, in its own transaction: for one ticket (median of ${WRITES / 2}), and per ticket of one batch of ${WRITES / 2}.`,
    '',
    '| write | with the roll-ups, ms | with none, ms | the consumer later, one ticket, ms | the consumer later, per ticket of a batch, ms |',
    '| --- | --- | --- | --- | --- |',
    ...writes.map((w) => `| ${w.name} | ${w.withRollUps.toFixed(2)} | ${w.without.toFixed(2)} | ${w.consumerAlone.toFixed(2)} | ${w.consumerBatched.toFixed(2)} |`),
  ]);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
