import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { assertBeforeDeadline } from '../shared/deadline';

/**
 * Reads whose plan PostgreSQL keeps: the statement goes with its values as bind parameters, under a
 * name, so each pooled connection parses it once, and after five runs PostgreSQL may keep a generic
 * plan instead of planning again. The ORM's `execute` writes the values into the text, so every
 * statement is new to PostgreSQL and planned on each run: for the read model's statements
 * (tickets/ticket-read.ts), planning cost more than running them (issue 19: a ticket with its
 * comments and timeline, 3.2 ms planned each time, 0.44 ms prepared).
 *
 * Prepared statements stay on their connection until it closes, so the names are bounded: the
 * first MAX_NAMED distinct texts of this process get one, any text after that runs unnamed (planned
 * each time, as through the ORM). The texts are the read model's shapes, one per kind of selection
 * a client makes; real clients use a few dozen.
 */
const MAX_NAMED = 200;
const names = new Map<string, string>();

function nameOf(sql: string): string | undefined {
  let name = names.get(sql);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `tg_${createHash('sha1').update(sql).digest('hex')}`;
    names.set(sql, name);
  }
  return name;
}

/**
 * The rows of a read (`?` placeholders, values in `bindings`: strings, numbers, booleans, Dates; an
 * array goes as a literal, see sql.ts pgArray), inside the transaction of `em` if it has one. Like every
 * statement, none starts after the request's deadline.
 */
export async function preparedRows<T>(em: EntityManager, query: { sql: string; bindings: readonly unknown[] }): Promise<T[]> {
  assertBeforeDeadline();
  const raw = em.getKnex().raw(query.sql, query.bindings as never[]);
  const name = nameOf(query.sql);
  if (name) raw.options({ name });
  const transaction = em.getContext(false).getTransactionContext();
  if (transaction) raw.transacting(transaction);
  return ((await raw) as { rows: T[] }).rows;
}
