import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { migrationOnlyConfig } from '../../src/db/migrations.config';
import { migrationsList } from '../../src/db/migrations';
import { databaseUrl, onServer, serverUrl } from '../setup/databases';

/**
 * Migrations are history: an existing database that ran the earlier migrations, then the new ones,
 * must end with the same schema as an empty database migrated straight to the latest (all pending
 * migrations run in one transaction, so a statement that depends on what ran before it in the same
 * transaction, or on the data, shows here). Checked from each of the last few migrations, so
 * whichever migration is new is covered as it is added.
 */


/** How many of the latest migrations an existing database is taken to be missing: one to five (each case migrates a whole database). */
const MISSING = [1, 2, 3, 4, 5].filter((missing) => missing < migrationsList.length);

/** Everything in schema public that migrations create, each kind as sorted lines that name their object. */
type Snapshot = Record<'tables' | 'columns' | 'indexes' | 'constraints' | 'triggers' | 'functions' | 'views' | 'types' | 'extensions', string[]>;

const SNAPSHOT_QUERIES: Record<keyof Snapshot, string> = {
  tables: `select c.relname || ' ' || c.relkind::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'S')`,
  // Sorted by name, not position: a column's place in the row is not part of what a migration promises.
  columns: `select a.attrelid::regclass || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                   || case when a.attnotnull then ' not null' else ' null' end
                   || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
                   || case a.attgenerated when 's' then ' generated' else '' end
                   || coalesce(' collate ' || nullif(co.collname, 'default'), '')
              from pg_attribute a
              join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
              left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
              left join pg_collation co on co.oid = a.attcollation
             where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm') and a.attnum > 0 and not a.attisdropped`,
  indexes: `select indexdef from pg_indexes where schemaname = 'public'`,
  constraints: `select c.conrelid::regclass || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
                  from pg_constraint c join pg_namespace n on n.oid = c.connamespace where n.nspname = 'public'`,
  triggers: `select pg_get_triggerdef(t.oid) || case t.tgenabled when 'D' then ' (disabled)' else '' end
               from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
              where n.nspname = 'public' and not t.tgisinternal`,
  // An extension's own functions come with it (see extensions).
  functions: `select pg_get_functiondef(p.oid) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
               where n.nspname = 'public' and p.prokind in ('f', 'p')
                 and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')`,
  views: `select c.relname || ' ' || pg_get_viewdef(c.oid) from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind in ('v', 'm')`,
  types: `select t.typname || ' ' || t.typtype::text || coalesce(' (' || (select string_agg(e.enumlabel, ', ' order by e.enumsortorder) from pg_enum e where e.enumtypid = t.oid) || ')', '')
            from pg_type t join pg_namespace n on n.oid = t.typnamespace
           where n.nspname = 'public' and t.typtype in ('e', 'd', 'c') and (t.typtype <> 'c' or exists (select 1 from pg_class c where c.oid = t.typrelid and c.relkind = 'c'))`,
  extensions: `select extname || ' ' || extversion from pg_extension`,
};

async function snapshot(url: string): Promise<Snapshot> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const kinds = Object.keys(SNAPSHOT_QUERIES) as (keyof Snapshot)[];
    const result = {} as Snapshot;
    for (const kind of kinds) {
      const { rows } = await client.query<{ line: string }>(`select q.line from (${SNAPSHOT_QUERIES[kind]}) as q(line) order by 1`);
      result[kind] = rows.map((row) => row.line);
    }
    return result;
  } finally {
    await client.end();
  }
}

const server = () => serverUrl();
const created: string[] = [];

/** A new empty database on the test server, migrated in steps: each up to a migration's name, or (undefined) to the latest. */
async function migrated(label: string, ...steps: (string | undefined)[]): Promise<string> {
  const database = `tg_history_${label}_${process.pid}`;
  await onServer(server(), `drop database if exists ${database} with (force)`, `create database ${database}`);
  created.push(database);
  const url = databaseUrl(server(), database);
  const orm = await MikroORM.init(migrationOnlyConfig(url));
  try {
    for (const to of steps) {
      await orm.getMigrator().up(to ? { to } : undefined);
      const last = (await orm.getMigrator().getExecutedMigrations()).at(-1)?.name;
      // Stopped where asked (or at the latest), so a database with the earlier migrations only.
      expect(last).toBe(to ?? migrationsList[migrationsList.length - 1].name);
    }
  } finally {
    await orm.close(true);
  }
  return url;
}

let straight: string;
let latest: Snapshot;

beforeAll(async () => {
  straight = await migrated('straight', undefined);
  latest = await snapshot(straight);
});

afterAll(async () => {
  for (const database of created) await onServer(server(), `drop database if exists ${database} with (force)`);
});

describe('migrations are history', () => {
  it('an empty database migrated to the latest has every kind of object the snapshot compares', () => {
    // No triggers since Migration20261206070000_general_roll_ups (the report roll-ups left the write path): the
    // check below adds one to show that the snapshot sees them.
    for (const kind of ['tables', 'columns', 'indexes', 'constraints', 'functions', 'extensions'] as const) {
      expect(latest[kind].length).toBeGreaterThan(0);
    }
  });

  it.each(MISSING)(
    'a database that lacks the last %i migration(s) ends, migrated, with the same schema as a new one',
    async (missing) => {
      const before = migrationsList[migrationsList.length - 1 - missing].name;
      const url = await migrated(`missing_${missing}`, before, undefined);
      expect(await snapshot(url)).toEqual(latest);
    },
  );

  it('the snapshot sees a change to a column, an index, a constraint, a trigger and a function', async () => {
    const client = new Client({ connectionString: straight });
    await client.connect();
    const table = 'ticket';
    const index = (await client.query<{ indexname: string }>(`select indexname from pg_indexes where schemaname = 'public' and indexname like '%\\_idx' limit 1`)).rows[0].indexname;
    const check = (await client.query<{ t: string; c: string }>(`select conrelid::regclass::text as t, conname as c from pg_constraint where contype = 'c' and connamespace = 'public'::regnamespace limit 1`)).rows[0];
    const changes: [keyof Snapshot, string][] = [
      ['columns', `alter table ${table} add column history_probe integer`],
      ['indexes', `drop index ${index}`],
      ['constraints', `alter table ${check.t} drop constraint ${check.c}`],
      ['functions', `create function history_probe() returns trigger language plpgsql as $$ begin return new; end $$`],
      ['triggers', `create trigger history_probe before update on ${table} for each row execute function history_probe()`],
      ['triggers', `alter table ${table} disable trigger history_probe`],
    ];
    try {
      for (const [kind, statement] of changes) {
        const before = await snapshot(straight);
        await client.query(statement);
        const after = await snapshot(straight);
        expect({ kind, changed: JSON.stringify(after[kind]) !== JSON.stringify(before[kind]) }).toEqual({ kind, changed: true });
      }
    } finally {
      await client.end();
    }
    // The changed database no longer matches a straight migration.
    expect(await snapshot(straight)).not.toEqual(latest);
  });
});
