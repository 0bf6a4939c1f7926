import 'reflect-metadata';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { createLogger } from '../src/logger';

/** `npm run db:migrate`: applies pending migrations to DATABASE_URL (or the embedded database). */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config.databaseUrl, config.dataDir, createLogger(config.logLevel), config.database);
  const pending = await database.orm.getMigrator().getPendingMigrations();
  console.log(pending.length === 0 ? 'Database is up to date.' : `${pending.length} migrations still pending.`);
  await database.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
