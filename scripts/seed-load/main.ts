import { DAY } from './clock';
import { connect, createMigratedDatabase, fillRollUps, SERVER, startConsumersAfterHistory, urlFor } from './database';
import { parseOptions } from './options';
import { loadPolicies } from './policies';
import { Rng } from './random';
import { loadReferenceData } from './reference-data';
import { checkRestored, dropForLoad, restoreAfterLoad, schemaObjects } from './schema';
import { printContents } from './summary';
import { loadTickets } from './ticket-load';
import { buildWorld } from './world';

/** The whole run; see scripts/seed-load.ts. Staff and businesses scale with the number of tickets. */
export async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const N = options.tickets;
  const scale = N / 1_000_000;
  const agentCount = Math.max(5, Math.round(50 * scale));
  const businessCount = Math.max(20, Math.round(5000 * scale));
  console.log(`seed:load: ${N.toLocaleString('en')} tickets into database ${options.database} on ${new URL(SERVER).host} (seed ${options.seed})`);

  const applied = await createMigratedDatabase(options.database);
  console.log(`migrated: ${applied.join(', ')} (${elapsed()})`);

  const client = await connect(options.database);
  const rng = new Rng(options.seed);
  const now = Date.now();
  const origin = now - 760 * DAY;
  const policies = await loadPolicies(client, now);

  const before = await schemaObjects(client);
  await dropForLoad(client, before);
  console.log(`dropped ${before.foreignKeys.length} foreign keys, ${before.keys.length} keys, ${before.indexes.length} indexes for the load (${elapsed()})`);

  const reference = await loadReferenceData(options.database, rng, { now, origin, agentCount, businessCount, password: options.password });
  console.log(
    `${agentCount + 2} staff, ${businessCount.toLocaleString('en')} businesses, ${reference.contacts.length.toLocaleString('en')} contacts, ` +
      `${reference.tags.length} tags (${elapsed()})`,
  );

  const world = buildWorld(rng, now, origin, reference, policies);
  const loaded = await loadTickets(options.database, world, N, elapsed);

  // Sequences, keys and indexes, statistics. Index builds go largest table first, by these estimates.
  await client.query(`select setval('ticket_number_seq', ${1000 + N - 1})`);
  const sizes = new Map<string, number>([
    ['ticket_event', loaded.events * 1.5],
    ['comment', loaded.comments],
    ['ticket', N * 4],
    ['ticket_tag', loaded.ticketTags / 2],
    ['satisfaction_rating', loaded.ratings],
  ]);
  const indexStarted = Date.now();
  await restoreAfterLoad(options.database, before, sizes);
  checkRestored(before, await schemaObjects(client));
  console.log(`keys, indexes and foreign keys recreated as migrated in ${((Date.now() - indexStarted) / 1000).toFixed(1)} s (${elapsed()})`);
  const vacuumStarted = Date.now();
  await client.query('vacuum analyze');
  console.log(`vacuum analyze: ${((Date.now() - vacuumStarted) / 1000).toFixed(1)} s (${elapsed()})`);
  const rollUpsStarted = Date.now();
  await fillRollUps(options.database);
  await client.query('vacuum analyze roll_up, roll_up_ticket');
  console.log(`report roll-ups filled: ${((Date.now() - rollUpsStarted) / 1000).toFixed(1)} s (${elapsed()})`);
  await startConsumersAfterHistory(client);
  console.log('mail, notification and webhook consumers start after the loaded history');

  await printContents(client);
  await client.end();
  console.log(`\nlog in as agent1@load.example (or agent2…agent${agentCount}, admin1, admin2) with password "${options.password}"`);
  console.log(`database ${urlFor(options.database)}`);
  console.log(`total time ${elapsed()}`);
}
