import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities';
import { migrationOptions } from './migrations.config';

/** The driver's connection, as the pool hands it over. */
interface PgConnection {
  query(sql: string, callback: (error: Error | undefined) => void): void;
}

/** One ORM configuration for the server, the CLI scripts and the tests. */
export function ormConfig(clientUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    discovery: { requireEntitiesArray: true },
    pool: {
      min: 0,
      max: 10,
      // Fuzzy name search (`query <% name`) counts a word similarity of 0.5 as a match instead of
      // pg_trgm's 0.6: two typos in a short name still match, and the trigram index stays selective.
      afterCreate: (connection: PgConnection, done: (error: Error | null, connection: PgConnection) => void) => {
        connection.query('set pg_trgm.word_similarity_threshold = 0.5', (error) => done(error ?? null, connection));
      },
    },
    forceUtcTimezone: true,
    migrations: migrationOptions,
    ...overrides,
  });
}
