import './bench-api-graphql15';
import http from 'node:http';
import { Pool } from 'pg';
import { postgraphile } from 'postgraphile';
import { urlFor } from './bench-support';

/**
 * The comparison side of `bench:api`, in a process of its own (this file, forked by bench-api.ts):
 * PostGraphile 4.14.1 as a library over the bench database, with no access control and no mutations,
 * on `/graphql`; and on `/floor` the SQL floor: one hand-written statement that produces Q1's answer
 * as JSON (see Q1_FLOOR_SQL in bench-api-queries.ts), sent as it comes from PostgreSQL. Both have
 * their own event loop and heap, apart from Ticketgraph's and from the load generator's.
 *
 * PostGraphile brings its own graphql 15 (nested under node_modules/postgraphile): it must never
 * share a process with the app's graphql 16.
 */

/** The schema PostGraphile reads besides `public`: a set-returning function for Q3's two IN filters (PostGraphile's `condition` only says equals). */
export const BENCH_SCHEMA = 'postgraphile_bench';

export const BENCH_SCHEMA_SQL = [
  `create schema if not exists ${BENCH_SCHEMA}`,
  `create or replace function ${BENCH_SCHEMA}.urgent_open_tickets() returns setof public.ticket language sql stable as $$
     select * from public.ticket where status in ('OPEN', 'IN_PROGRESS') and priority in ('HIGH', 'URGENT')
   $$`,
  // PostGraphile offers `orderBy` on a function's connection only when told it is sortable.
  `comment on function ${BENCH_SCHEMA}.urgent_open_tickets() is '@sortable'`,
];

type ToParent = { type: 'ready'; url: string };

async function serve(database: string, floorSql: string): Promise<void> {
  const connectionString = urlFor(database);
  const setup = new Pool({ connectionString, max: 1 });
  for (const statement of BENCH_SCHEMA_SQL) await setup.query(statement);
  await setup.end();

  const graphql = postgraphile(connectionString, ['public', BENCH_SCHEMA], {
    graphqlRoute: '/graphql',
    disableDefaultMutations: true,
    dynamicJson: true,
    disableQueryLog: true,
    retryOnInitFail: false,
    enableQueryBatching: false,
  });
  // The floor runs on a pool of the same size as PostGraphile's default (10).
  const pool = new Pool({ connectionString, max: 10 });
  const server = http.createServer((request, response) => {
    if (request.url === '/floor') {
      request.resume();
      request.on('end', () => {
        pool.query<{ answer: string }>(floorSql).then(
          (result) => {
            response.writeHead(200, { 'content-type': 'application/json' });
            response.end(result.rows[0].answer);
          },
          (error: unknown) => {
            response.writeHead(500, { 'content-type': 'text/plain' });
            response.end(String(error));
          },
        );
      });
      return;
    }
    graphql(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  const stop = () => {
    server.close();
    void pool.end().finally(() => process.exit(0));
  };
  process.on('disconnect', stop);
  process.on('message', (message: { type: string }) => message.type === 'stop' && stop());
  process.send!({ type: 'ready', url: `http://127.0.0.1:${address.port}` } satisfies ToParent);
}

if (require.main === module) {
  serve(process.argv[2], process.argv[3]).catch((error: unknown) => {
    console.error('PostGraphile failed to start:', error);
    process.exit(1);
  });
}
