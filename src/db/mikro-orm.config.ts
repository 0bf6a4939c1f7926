import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import path from 'node:path';
import { entities } from './entities';

/**
 * One ORM configuration for the server, the CLI scripts and the tests. Migrations are TypeScript
 * under `src/db/migrations`; compiled ones are used when running from `dist/`.
 */
export function ormConfig(clientUrl: string, overrides: Partial<Options> = {}): Options {
  const runningTs = __filename.endsWith('.ts');
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    discovery: { requireEntitiesArray: true },
    pool: { min: 0, max: 10 },
    forceUtcTimezone: true,
    migrations: {
      path: path.join(__dirname, 'migrations'),
      pathTs: path.join(__dirname, 'migrations'),
      glob: runningTs ? '!(*.d).ts' : '*.js',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
      silent: true,
    },
    preferTs: runningTs,
    ...overrides,
  });
}
