import type { Client } from 'pg';
import { connect } from './database';

/**
 * What the load drops and recreates: every foreign key, and the keys and secondary indexes of the big
 * tables. They are read from the catalog before the load, rebuilt from those definitions after it, and
 * read again to check the schema ends up as migrated.
 */

export interface SchemaObjects {
  foreignKeys: { table: string; name: string; definition: string }[];
  keys: { table: string; name: string; type: 'p' | 'u'; index: string }[];
  indexes: { table: string; name: string; definition: string }[];
}

const BIG_TABLES = ['ticket', 'comment', 'ticket_event', 'ticket_tag', 'satisfaction_rating'];

export async function schemaObjects(client: Client): Promise<SchemaObjects> {
  const foreignKeys = await client.query<{ table: string; name: string; definition: string }>(
    `select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as definition
       from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace order by 1, 2`,
  );
  const keys = await client.query<{ table: string; name: string; type: 'p' | 'u'; index: string }>(
    `select conrelid::regclass::text as table, conname as name, contype as type, pg_get_indexdef(conindid) as index
       from pg_constraint where contype in ('p', 'u') and conrelid = any($1::regclass[]) order by 1, 2`,
    [BIG_TABLES],
  );
  const indexes = await client.query<{ table: string; name: string; definition: string }>(
    `select i.indrelid::regclass::text as table, c.relname as name, pg_get_indexdef(i.indexrelid) as definition
       from pg_index i join pg_class c on c.oid = i.indexrelid
      where i.indrelid = any($1::regclass[])
        and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid and k.contype in ('p', 'u', 'x'))
      order by 1, 2`,
    [BIG_TABLES],
  );
  return { foreignKeys: foreignKeys.rows, keys: keys.rows, indexes: indexes.rows };
}

/** Keys, foreign keys and indexes go for the load (restoreAfterLoad builds them again). */
export async function dropForLoad(client: Client, objects: SchemaObjects): Promise<void> {
  for (const fk of objects.foreignKeys) await client.query(`alter table ${fk.table} drop constraint ${fk.name}`);
  for (const key of objects.keys) await client.query(`alter table ${key.table} drop constraint ${key.name}`);
  for (const index of objects.indexes) await client.query(`drop index ${index.name}`);
}

/** Runs statements on `workers` connections, each taking the next from the queue. */
async function runParallel(database: string, workers: number, setup: string[], statements: string[], label: (s: string) => string): Promise<void> {
  const queue = [...statements];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const client = await connect(database);
      try {
        for (const s of setup) await client.query(s);
        for (let statement = queue.shift(); statement !== undefined; statement = queue.shift()) {
          const started = Date.now();
          await client.query(statement);
          console.log(`  ${label(statement)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
        }
      } finally {
        await client.end();
      }
    }),
  );
}

export async function restoreAfterLoad(database: string, objects: SchemaObjects, sizes: Map<string, number>): Promise<void> {
  // Every index (those behind keys too) is built with CREATE INDEX, two at a time, largest tables
  // first; keys then adopt their index (instant), foreign keys are added NOT VALID and validated per
  // table in parallel. The end state is the same constraints, validated, as after the migrations.
  const builds = [
    ...objects.keys.map((k) => ({ table: k.table, sql: k.index })),
    ...objects.indexes.map((i) => ({ table: i.table, sql: i.definition })),
  ];
  const weight = (b: { table: string; sql: string }) => (sizes.get(b.table) ?? 0) * (/using gin/i.test(b.sql) ? 3 : 1);
  builds.sort((a, b) => weight(b) - weight(a));
  const indexSetup = ["set maintenance_work_mem = '1GB'", 'set max_parallel_maintenance_workers = 1'];
  await runParallel(database, 2, indexSetup, builds.map((b) => b.sql), (s) => s.replace(/^CREATE (UNIQUE )?INDEX (\S+) .*$/s, 'index $2'));

  const client = await connect(database);
  try {
    for (const key of objects.keys) {
      await client.query(`alter table ${key.table} add constraint ${key.name} ${key.type === 'p' ? 'primary key' : 'unique'} using index ${key.name}`);
    }
    for (const fk of objects.foreignKeys) await client.query(`alter table ${fk.table} add constraint ${fk.name} ${fk.definition} not valid`);
  } finally {
    await client.end();
  }
  const byTable = new Map<string, string[]>();
  for (const fk of objects.foreignKeys) byTable.set(fk.table, [...(byTable.get(fk.table) ?? []), `alter table ${fk.table} validate constraint ${fk.name}`]);
  const groups = [...byTable.entries()].sort((a, b) => (sizes.get(b[0]) ?? 0) - (sizes.get(a[0]) ?? 0)).map(([, statements]) => statements.join(';\n'));
  await runParallel(database, 2, ["set work_mem = '512MB'"], groups, (s) => `foreign keys of ${s.split(' ')[2]}`);
}

/** Throws unless the keys and indexes read after the load are those read before it. */
export function checkRestored(before: SchemaObjects, after: SchemaObjects): void {
  if (JSON.stringify(after) !== JSON.stringify(before)) {
    throw new Error(`The keys and indexes after the load differ from the migrated schema:\n${JSON.stringify({ before, after }, null, 1)}`);
  }
}
