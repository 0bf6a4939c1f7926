import 'reflect-metadata';
import type { EntityManager } from '@mikro-orm/postgresql';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { createLogger } from '../src/logger';
import { rebuildOutcomes } from '../src/modules/reports/outcome-rebuild';
import { checkDigests, rebuildDigests } from '../src/modules/reports/report-digests';

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
  const database = await openDatabase(config.databaseUrl, config.dataDir, createLogger(config.logLevel));
  try {
    const em = () => database.orm.em.fork() as EntityManager;
    const { checked, mismatches } = await rebuildOutcomes(em(), { write: !check });
    const tickets = new Set(mismatches.map((m) => m.ticketId)).size;
    for (const m of mismatches.slice(0, 20)) console.log(`${m.ticketId} ${m.field}: stored ${String(m.stored)}, timeline ${String(m.replayed)}`);
    console.log(`${checked} tickets replayed; ${tickets} ${check ? 'differ from their timeline' : 'updated'}.`);
    if (!check) await rebuildDigests(em());
    const drifted = await checkDigests(em());
    for (const id of drifted.tickets) console.log(`${id}: digests differ from the timeline`);
    for (const hour of drifted.hours) console.log(`report_hour ${hour}: differs from the timeline`);
    for (const day of drifted.scopeDays) console.log(`report_scope_day ${day}: differs from the timeline`);
    for (const day of drifted.tagDays) console.log(`report_tag_day ${day}: differs from the tags`);
    for (const day of drifted.assignmentDays) console.log(`report_assignment_day ${day}: differs from the timeline`);
    for (const month of drifted.scopeMonths) console.log(`report_scope_month ${month}: differs from the tickets`);
    for (const month of drifted.scopeTagMonths) console.log(`report_scope_tag_month ${month}: differs from the tags`);
    for (const month of drifted.titleMonths) console.log(`report_title_month ${month}: differs from the tickets`);
    for (const title of drifted.titleTotals) console.log(`report_title_total ${title}: differs from the tickets`);
    for (const month of drifted.businessAssignmentMonths) console.log(`report_business_assignment_month ${month}: differs from the timeline`);
    for (const month of drifted.scopeTitleMonths) console.log(`report_scope_title_month ${month}: differs from the tickets`);
    for (const title of drifted.scopeTitleTotals) console.log(`report_scope_title_total ${title}: differs from the tickets`);
    for (const month of drifted.agentBusinessMonths) console.log(`report_agent_business_month ${month}: differs from the tickets`);
    for (const total of drifted.agentBusinessTotals) console.log(`report_agent_business_total ${total}: differs from the tickets`);
    for (const business of drifted.businessTotals) console.log(`report_business_total ${business}: differs from the tickets`);
    for (const spelling of drifted.titleSpellings) console.log(`report_title_spelling ${spelling}: differs from the tickets`);
    for (const month of drifted.durationMonths) console.log(`report_duration_month ${month}: differs from the tickets' figures`);
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
