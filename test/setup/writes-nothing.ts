import type { TestApp } from './test-app';

/** Per table: row count and a digest of every row, so an UPDATE shows as well as an INSERT or DELETE. */
async function databaseState(app: TestApp, tables: readonly string[]): Promise<Record<string, string>> {
  const columns = tables.map((t) => `(select count(*) || ':' || coalesce(md5(string_agg(x::text, '|' order by x::text)), '') from ${t} x) as ${t}`);
  const [row] = await app.em().getConnection().execute<Record<string, string>[]>(`select ${columns.join(', ')}`);
  return row;
}

/** Runs `work` and checks that no row of `tables` changed in any way. */
export async function writesNothing<T>(app: TestApp, tables: readonly string[], work: () => Promise<T>): Promise<T> {
  const before = await databaseState(app, tables);
  const result = await work();
  expect(await databaseState(app, tables)).toEqual(before);
  return result;
}
