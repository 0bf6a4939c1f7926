import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, type Options } from '@mikro-orm/postgresql';
import path from 'node:path';
import { migrationsList } from './migrations';

export const migrationOptions = {
  migrationsList,
  // Where `mikro-orm migration:create` writes new files; add each one to migrations/index.ts.
  path: path.join(__dirname, 'migrations'),
  pathTs: path.join(__dirname, 'migrations'),
  transactional: true,
  allOrNothing: true,
  snapshot: false,
  emit: 'ts' as const,
  silent: true,
};

/**
 * An ORM that only migrates: it loads no entity, so it can run where entity metadata must not be
 * registered (jest's global setup shares its process with the first test file's realm).
 */
export function migrationOnlyConfig(clientUrl: string): Options {
  return defineConfig({
    clientUrl,
    entities: [],
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: false },
    migrations: migrationOptions,
  });
}
