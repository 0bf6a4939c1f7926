import type { EventSubscriber } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import path from 'node:path';
import type { Logger } from 'pino';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded';
import { ormConfig } from './mikro-orm.config';

export interface Database {
  orm: MikroORM;
  /** Set when no DATABASE_URL was given and an embedded PostgreSQL was started. */
  embedded?: EmbeddedDatabase;
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts the embedded PostgreSQL under `<dataDir>/pg`; then migrates. */
export async function openDatabase(
  databaseUrl: string | undefined,
  dataDir: string,
  logger: Logger,
  subscribers: EventSubscriber[] = [],
): Promise<Database> {
  const embedded = databaseUrl
    ? undefined
    : await startEmbeddedDatabase(path.join(dataDir, 'pg'), (line) => logger.debug({ postgres: line }));
  if (embedded) logger.info({ dataDir, created: embedded.created }, 'embedded PostgreSQL started');
  try {
    const orm = await MikroORM.init(ormConfig(embedded?.url ?? databaseUrl!, { subscribers }));
    const applied = await orm.getMigrator().up();
    if (applied.length > 0) logger.info({ migrations: applied.map((m) => m.name) }, 'migrations applied');
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
