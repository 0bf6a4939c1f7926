import 'reflect-metadata';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/database';
import { DEMO_LOGINS, seedDemo } from '../src/db/seeders/demo';
import { User } from '../src/modules/users/user.entity';
import { createLogger } from '../src/logger';

/** `npm run seed:demo`: loads the demo data into DATABASE_URL (or the embedded database) once, and prints the logins. */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config.databaseUrl, config.dataDir, createLogger(config.logLevel), config.database);
  const em = database.orm.em.fork();
  if (await em.count(User, { email: DEMO_LOGINS[0].email })) {
    console.log('The demo data is already loaded.');
  } else {
    await seedDemo(em);
    console.log('Demo data loaded.');
  }
  console.log('Logins:');
  for (const login of DEMO_LOGINS) console.log(`  ${login.role.padEnd(8)} ${login.email.padEnd(34)} ${login.password}`);
  await database.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
