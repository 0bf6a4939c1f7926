import type { EventSubscriber } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import path from 'node:path';
import type { Logger } from 'pino';
import type { DatabaseLimits } from '../config';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded';
import { migrationOnlyConfig } from './migrations.config';
import { ormConfig } from './mikro-orm.config';

export interface Database {
  orm: MikroORM;
  /** Set when no DATABASE_URL was given and an embedded PostgreSQL was started. */
  embedded?: EmbeddedDatabase;
  close(): Promise<void>;
}

/**
 * Connects to DATABASE_URL, or starts the embedded PostgreSQL under `<dataDir>/pg`; migrates; then opens
 * the pool with `limits` (a script that runs long statements passes a statement timeout of 0).
 */
export async function openDatabase(
  databaseUrl: string | undefined,
  dataDir: string,
  logger: Logger,
  limits: DatabaseLimits,
  subscribers: EventSubscriber[] = [],
): Promise<Database> {
  const embedded = databaseUrl
    ? undefined
    : await startEmbeddedDatabase(path.join(dataDir, 'pg'), (line) => logger.debug({ postgres: line }));
  if (embedded?.relocation) logger.warn(embedded.relocation);
  if (embedded) logger.info({ dataDir, cluster: embedded.directory, created: embedded.created }, 'embedded PostgreSQL started');
  try {
    const url = embedded?.url ?? databaseUrl!;
    const applied = await migrate(url);
    if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
    const orm = await MikroORM.init(ormConfig(url, limits, { subscribers }));
    return {
      orm,
      embedded,
      async close() {
        await orm.close(true);
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

/** Migrations run on a connection of their own, without the pool's statement timeout: they may rewrite large tables. */
async function migrate(url: string): Promise<string[]> {
  const orm = await MikroORM.init(migrationOnlyConfig(url));
  try {
    return (await orm.getMigrator().up()).map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}
