import 'reflect-metadata';
import { main } from './seed-load/main';

/**
 * `npm run seed:load -- --tickets 1000000 [--database ticketgraph_load] [--seed 42] [--password …]`
 *
 * A realistic data set for load tests and report benchmarks, in bulk: drops and recreates the database
 * on DATABASE_URL's server, runs the app's migrations, then streams every row through COPY. Each ticket
 * is simulated from creation to now (or to where it stands now): its timeline entries, comments, SLA
 * clock (the same rules as sla-clock.ts, on the migrated policies and business calendar), breaches,
 * reopens, closing and rating, so the ticket's fact columns agree with its timeline. Timeline entries
 * and comments are written in time order across tickets, as a live system would have appended them,
 * so `ticket_event.position` (its sequence default) follows time.
 *
 * Secondary indexes, unique and primary keys, and foreign keys are dropped for the load and recreated
 * from their catalogued definitions afterwards (checked to be identical); the big tables are loaded
 * with COPY … FREEZE, then VACUUM ANALYZE.
 *
 * The parts are in scripts/seed-load/: main.ts runs them in order, simulation.ts and ticket-state.ts
 * tell each ticket's story.
 */
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
