import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities';
import { migrationOptions } from './migrations.config';

/** One ORM configuration for the server, the CLI scripts and the tests. */
export function ormConfig(clientUrl: string, overrides: Partial<Options> = {}): Options {
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    discovery: { requireEntitiesArray: true },
    pool: { min: 0, max: 10 },
    forceUtcTimezone: true,
    migrations: migrationOptions,
    ...overrides,
  });
}
