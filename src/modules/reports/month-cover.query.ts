import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReportWindow } from './report-window';
import { monthAround, monthCover, utcDay } from './roll-up-cover';

/** Where a roll-up's instants are: on tickets `t` (`t.created_at`, …), or another table with an alias and a condition. */
export type Instants = string | { table: string; column: string; where: string };

/**
 * monthCover for a roll-up by the month of an instant (`instants`): a partial month at an edge of the
 * period counts whole when no row has that instant in the part of that month outside the period — as
 * in a period up to now, since nothing has happened after now. The roll-up's month then counts exactly
 * what the partial month holds, and nothing is read from the rows.
 */
export function monthCoverOf(em: EntityManager, window: Pick<ReportWindow, 'from' | 'to'>, instants: Instants): Promise<ReturnType<typeof monthCover>> {
  // Once per report: its statements share one transaction (one EntityManager), so the answer holds for all of them.
  const key = JSON.stringify([window.from, window.to, instants]);
  const covers = coversOf.get(em) ?? new Map<string, Promise<ReturnType<typeof monthCover>>>();
  coversOf.set(em, covers);
  if (!covers.has(key)) covers.set(key, probedCover(em, window, instants));
  return covers.get(key)!;
}

const coversOf = new WeakMap<EntityManager, Map<string, Promise<ReturnType<typeof monthCover>>>>();

async function probedCover(em: EntityManager, window: Pick<ReportWindow, 'from' | 'to'>, instants: Instants): Promise<ReturnType<typeof monthCover>> {
  const { table, column, where } = typeof instants === 'string' ? { table: 'ticket t', column: instants, where: 'true' } : instants;
  const before = { from: monthAround(window.from).start, to: window.from };
  const after = { from: window.to, to: monthAround(window.to).next };
  const none = () => `not exists (select 1 from ${table} where ${where} and ${column} >= ? and ${column} < ?)`;
  const [{ start, end }] = await em.execute<{ start: boolean; end: boolean }[]>(`select ${none()} as start, ${none()} as end`, [
    before.from,
    before.to,
    after.from,
    after.to,
  ]);
  return monthCover(window.from, window.to, { start, end });
}

/** A monthly roll-up's rows (`month` column) of the whole months a cover gives. */
export function inWholeMonths(q: Knex.QueryBuilder, months: { first: Date; last: Date }): Knex.QueryBuilder {
  return q.where('month', '>=', utcDay(months.first)).where('month', '<', utcDay(months.last));
}

/** The same roll-up's rows of the months before and of the months after them: two ranges of an index by month. */
export function outsideWholeMonths(q: Knex.QueryBuilder, months: { first: Date; last: Date }): Knex.QueryBuilder[] {
  return [q.clone().where('month', '<', utcDay(months.first)), q.clone().where('month', '>=', utcDay(months.last))];
}

/** The first month a monthly roll-up's rows `q` hold and the month after their last; null when they hold none. */
export async function heldMonths(em: EntityManager, q: Knex.QueryBuilder): Promise<{ first: Date; last: Date } | null> {
  const [held] = await em.execute<{ first: string | null; last: string | null }[]>(
    q.select(em.getKnex().raw(`min(month)::text as first, (max(month) + interval '1 month')::date::text as last`)),
  );
  return held.first && held.last ? { first: new Date(`${held.first}T00:00:00Z`), last: new Date(`${held.last}T00:00:00Z`) } : null;
}
