import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { DatabaseLimits } from '../config';
import { statementBeforeDeadline } from './deadline-guard';
import { entities } from './entities';
import { migrationOptions } from './migrations.config';

/** The driver's connection, as the pool hands it over. */
interface PgConnection {
  query(sql: string, callback: (error: Error | undefined) => void): void;
}

/**
 * What every pooled connection is set to when it opens. Fuzzy name search (`query <% name`) counts a
 * word similarity of 0.5 as a match instead of pg_trgm's 0.6: two typos in a short name still match,
 * and the trigram index stays selective. No statement runs, and no transaction sits idle, longer than
 * the statement timeout, so one slow request cannot hold a connection (and the locks it took) for long;
 * session settings, so transactions that `set_config(…, true)` other settings keep them.
 */
function connectionSettings(limits: DatabaseLimits): string {
  const timeout = Math.trunc(limits.statementTimeoutMs);
  return [
    'set pg_trgm.word_similarity_threshold = 0.5',
    `set statement_timeout = ${timeout}`,
    `set idle_in_transaction_session_timeout = ${timeout}`,
  ].join('; ');
}

/** One ORM configuration for the server, the CLI scripts and the tests. */
export function ormConfig(clientUrl: string, limits: DatabaseLimits, overrides: Partial<Options> = {}): Options {
  const settings = connectionSettings(limits);
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    discovery: { requireEntitiesArray: true },
    pool: {
      min: 0,
      max: limits.poolMax,
      // Waiting longer helps nobody: with every connection busy, a short wait and a clear
      // SERVICE_UNAVAILABLE (server/errors.ts) beat a request that hangs for knex's default minute.
      acquireTimeoutMillis: limits.acquireTimeoutMs,
      afterCreate: (connection: PgConnection, done: (error: Error | null, connection: PgConnection) => void) => {
        connection.query(settings, (error) => done(error ?? null, connection));
      },
    },
    forceUtcTimezone: true,
    onQuery: statementBeforeDeadline,
    migrations: migrationOptions,
    ...overrides,
  });
}
