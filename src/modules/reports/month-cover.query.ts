import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReportWindow } from './report-window';
import { monthAround, monthCover } from './roll-up-cover';

/** Where a roll-up's instants are: on tickets `t` (`t.created_at`, …), or another table with an alias and a condition. */
export type Instants = string | { table: string; column: string; where: string };

/** The resolution moves (to and from RESOLVED) of the timeline, as the series counts them. */
export const MOVE_INSTANTS: Instants = {
  table: 'ticket_event e',
  column: 'e.created_at',
  where: `e.type = 'STATUS_CHANGED' and (e.to_status = 'RESOLVED' or e.from_status = 'RESOLVED')`,
};

/**
 * monthCover for roll-ups by the month of instants: a partial month at an edge of the period counts
 * whole when no row has any of those instants in the part of that month outside the period — as in a
 * period up to now, since nothing has happened after now. The roll-up's month then counts exactly what
 * the partial month holds, and nothing is read from the rows.
 */
export function monthCoverOf(em: EntityManager, window: Pick<ReportWindow, 'from' | 'to'>, ...instants: Instants[]): Promise<ReturnType<typeof monthCover>> {
  // Once per report: its statements share one transaction (one EntityManager), so the answer holds for all of them.
  const key = JSON.stringify([window.from, window.to, instants]);
  const covers = coversOf.get(em) ?? new Map<string, Promise<ReturnType<typeof monthCover>>>();
  coversOf.set(em, covers);
  if (!covers.has(key)) covers.set(key, probedCover(em, window, instants));
  return covers.get(key)!;
}

const coversOf = new WeakMap<EntityManager, Map<string, Promise<ReturnType<typeof monthCover>>>>();

async function probedCover(em: EntityManager, window: Pick<ReportWindow, 'from' | 'to'>, instants: Instants[]): Promise<ReturnType<typeof monthCover>> {
  const before = [monthAround(window.from).start, window.from];
  const after = [window.to, monthAround(window.to).next];
  const none = (range: Date[]) =>
    instants
      .map((instant) => {
        const { table, column, where } = typeof instant === 'string' ? { table: 'ticket t', column: instant, where: 'true' } : instant;
        return { sql: `not exists (select 1 from ${table} where ${where} and ${column} >= ? and ${column} < ?)`, bindings: range };
      })
      .reduce((all, part) => ({ sql: `${all.sql} and ${part.sql}`, bindings: [...all.bindings, ...part.bindings] }));
  const [start, end] = [none(before), none(after)];
  const [row] = await em.execute<{ start: boolean; end: boolean }[]>(`select ${start.sql} as start, ${end.sql} as end`, [...start.bindings, ...end.bindings]);
  return monthCover(window.from, window.to, { start: row.start, end: row.end });
}
