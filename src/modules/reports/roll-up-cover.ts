/** How a period splits into whole UTC months, which the roll-ups answer, and the rest, read from the rows. */

const monthStart = (year: number, month: number) => new Date(Date.UTC(year, month, 1));

/** The start of the UTC month an instant falls in, and of the month after it. */
export function monthAround(instant: Date): { start: Date; next: Date } {
  return { start: monthStart(instant.getUTCFullYear(), instant.getUTCMonth()), next: monthStart(instant.getUTCFullYear(), instant.getUTCMonth() + 1) };
}

/**
 * Splits [from, to) into the whole UTC months inside it (`first` to `last`, the start of the month after
 * the last; null if none) and the rest, read from the rows: the partial months at the edges, or all of it.
 * With `whole`, the month `from` falls in (`start`) or the one `to` falls in (`end`) counts whole: the
 * caller knows nothing happened in the part of it outside the period (e.g. after now).
 */
export function monthCover(from: Date, to: Date, whole: { start?: boolean; end?: boolean } = {}): { months: { first: Date; last: Date } | null; rows: [Date, Date][] } {
  const around = monthAround(from);
  const first = around.start.getTime() === from.getTime() || whole.start ? around.start : around.next;
  const atEnd = monthAround(to);
  const last = atEnd.start.getTime() === to.getTime() || !whole.end ? atEnd.start : atEnd.next;
  if (!(first < last)) return { months: null, rows: [[from, to]] };
  const edges: [Date, Date][] = [
    [from, first],
    [last, to],
  ];
  return { months: { first, last }, rows: edges.filter(([start, end]) => start < end) };
}
