import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReportWindow } from './report-window';
import { monthAround, monthCover } from './roll-up-cover';

/**
 * monthCover for a roll-up of tickets by the month of `column` (an instant on `ticket t`): a partial
 * month at an edge of the period counts whole when no ticket has `column` in the part of that month
 * outside the period — as in a period up to now, since nothing has happened after now. The roll-up's
 * month then counts exactly the tickets of the partial month, and none are read from the rows.
 */
export async function monthCoverOf(em: EntityManager, window: Pick<ReportWindow, 'from' | 'to'>, column: string): Promise<ReturnType<typeof monthCover>> {
  const before = { from: monthAround(window.from).start, to: window.from };
  const after = { from: window.to, to: monthAround(window.to).next };
  const none = () => `not exists (select 1 from ticket t where ${column} >= ? and ${column} < ?)`;
  const [{ start, end }] = await em.execute<{ start: boolean; end: boolean }[]>(`select ${none()} as start, ${none()} as end`, [
    before.from,
    before.to,
    after.from,
    after.to,
  ]);
  return monthCover(window.from, window.to, { start, end });
}
