import 'reflect-metadata';
import type { EntityManager } from '@mikro-orm/postgresql';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { createLogger } from '../src/logger';
import { rebuildOutcomes } from '../src/modules/reports/outcome-rebuild';
import { checkDigests, rebuildDigests, ROLL_UP_TABLES, type RollUpName } from '../src/modules/reports/report-digests';

/**
 * `npm run reports:rebuild [-- --check]`: replays every ticket's timeline and compares the figures
 * reports read (first response, resolution, reopens, paused time) with the ticket rows, and the
 * timeline digests the database keeps (report-digests.ts) with the timeline. `--check` lists
 * differences and exits 1 if there are any; without it, the replayed figures are stored and the
 * digests derived afresh (a backfill, or after a policy change you want applied).
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
    if (!check) await rebuildDigests(em());
    const drifted = await checkDigests(em());
    const { tickets: driftedTickets, ...rollUps } = drifted;
    for (const id of driftedTickets) console.log(`${id}: digests differ from the timeline`);
    for (const [name, keys] of Object.entries(rollUps)) {
      for (const key of keys) console.log(`${ROLL_UP_TABLES[name as RollUpName]} ${key}: differs from what the timeline, the tags and the tickets give`);
    }
    const differing = Object.values(drifted).reduce((sum, list) => sum + list.length, 0);
    console.log(`digests: ${differing === 0 ? 'equal to the timeline' : 'differ (first 20 of each shown)'}.`);
    if (check && tickets + differing > 0) process.exitCode = 1;
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
