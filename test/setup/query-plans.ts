import type { TestApp } from './test-app';

/** A statement as the server sent it: prepared reads carry `$n` parameters in the order of `bindings`. */
export interface SentStatement {
  sql: string;
  bindings: unknown[];
}

/** The SQL statements the server sends while `work` runs, with their bindings. */
export async function statementsSent(app: TestApp, work: () => Promise<unknown>): Promise<SentStatement[]> {
  const knex = app.app.database.orm.em.getConnection().getKnex();
  const statements: SentStatement[] = [];
  const record = (query: SentStatement) => statements.push(query);
  knex.on('query', record);
  try {
    await work();
  } finally {
    knex.off('query', record);
  }
  return statements;
}

/**
 * PostgreSQL's plan of `statement`, as text, with sequential scans priced out: a test's tables are
 * small, and only then does the planner show which index it would walk on a large one.
 */
export async function planOf(app: TestApp, statement: SentStatement): Promise<string> {
  const knex = app.app.database.orm.em.getConnection().getKnex();
  const plan = (await knex.transaction(async (trx) => {
    await trx.raw('set local enable_seqscan = off');
    return trx.raw(`explain ${statement.sql.replace(/\$\d+/g, '?')}`, statement.bindings as never);
  })) as { rows: unknown[] };
  return JSON.stringify(plan.rows);
}
