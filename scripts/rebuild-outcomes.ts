import 'reflect-metadata';
import type { EntityManager } from '@mikro-orm/postgresql';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { createLogger } from '../src/logger';
import { rebuildOutcomes } from '../src/modules/reports/outcome-rebuild';
import { checkRollUps, rebuildRollUps } from '../src/modules/reports/roll-up.rebuild';

/**
 * `npm run reports:rebuild [-- --check]`: replays every ticket's timeline and compares the figures
 * reports read (first response, resolution, reopens, paused time) with the ticket rows, and the report
 * roll-ups (roll-up.rebuild.ts) with the tickets: each ticket's counted state with its state now, and
 * every roll_up row with the sum of the counted states' shares. `--check` lists differences and exits
 * 1 if there are any; without it, the replayed figures are stored and the roll-ups counted afresh (a
 * backfill, or after a policy change you want applied).
 */
async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const config = loadConfig();
  // Rebuilding the roll-ups rewrites whole tables in single statements: no statement timeout here.
  const limits = { ...config.database, statementTimeoutMs: 0 };
  const database = await openDatabase(config.databaseUrl, config.dataDir, createLogger(config.logLevel), limits);
  try {
    const em = () => database.orm.em.fork() as EntityManager;
    const { checked, mismatches } = await rebuildOutcomes(em(), { write: !check });
    const tickets = new Set(mismatches.map((m) => m.ticketId)).size;
    for (const m of mismatches.slice(0, 20)) console.log(`${m.ticketId} ${m.field}: stored ${String(m.stored)}, timeline ${String(m.replayed)}`);
    console.log(`${checked} tickets replayed; ${tickets} ${check ? 'differ from their timeline' : 'updated'}.`);
    if (!check) await rebuildRollUps(em());
    const drift = await checkRollUps(em());
    for (const id of drift.tickets) console.log(`${id}: counted in the roll-ups otherwise than it is`);
    for (const key of drift.rows) console.log(`roll_up ${key}: differs from the sum of the counted tickets' shares`);
    const differing = drift.tickets.length + drift.rows.length;
    console.log(`roll-ups: ${differing === 0 ? 'equal to the tickets' : 'differ (first 20 of each shown)'}.`);
    if (check && tickets + differing > 0) process.exitCode = 1;
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
