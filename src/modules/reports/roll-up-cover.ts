export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The UTC date of an instant, as a roll-up's `day` or `month` column holds it. */
export const utcDay = (instant: Date): string => instant.toISOString().slice(0, 10);

/** How a period's counts per bucket are read: whole UTC units (hours, days) from a roll-up, the rest from the rows. */
export interface Cover {
  /** Whole units in [from, to), each inside one bucket, none of `except`; null when there are none. */
  units: { from: Date; to: Date; except: Date[] } | null;
  /** Ranges [from, to) read from the rows: the partial units at the edges and the units a bucket starts inside. */
  rows: [Date, Date][];
}

/**
 * Splits [from, to), cut at bucket `starts`, into whole UTC units of `unit` ms (hours or days) that
 * lie inside one bucket, and the rest. By the hour, time zones whose offset is whole hours cut
 * buckets on the hour, so only the period's edges come from the rows; elsewhere (India, Nepal, …)
 * also the one hour around each bucket start. By the day, the day each bucket starts inside.
 */
export function rollUpCover(from: Date, to: Date, starts: readonly Date[], unit: number): Cover {
  const first = Math.ceil(from.getTime() / unit) * unit;
  const last = Math.floor(to.getTime() / unit) * unit;
  if (first >= last) return { units: null, rows: [[from, to]] };
  const rows: [Date, Date][] = [];
  if (from.getTime() < first) rows.push([from, new Date(first)]);
  if (last < to.getTime()) rows.push([new Date(last), to]);
  const except = [
    ...new Set(
      starts
        .map((start) => start.getTime())
        .filter((start) => start % unit !== 0)
        .map((start) => Math.floor(start / unit) * unit)
        .filter((at) => at >= first && at < last),
    ),
  ].sort((a, b) => a - b);
  for (const at of except) rows.push([new Date(at), new Date(at + unit)]);
  return { units: { from: new Date(first), to: new Date(last), except: except.map((at) => new Date(at)) }, rows };
}

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

/** Whole months from `from` to `to` (both starts of months); negative when `to` is earlier. */
const monthsFrom = (from: Date, to: Date) => (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + to.getUTCMonth() - from.getUTCMonth();

/**
 * Whether a period's whole months (`first` to `last`, as monthCover gives them) are cheaper counted as a
 * roll-up's totals of all time less its months outside them: when, of the months it holds rows for
 * (`held`: its first month to the month after its last), fewer lie outside the period than inside.
 * Both ways count the same; this only picks the one that reads fewer months.
 */
export function fewerMonthsOutside(months: { first: Date; last: Date }, held: { first: Date; last: Date }): boolean {
  const later = (a: Date, b: Date) => (a > b ? a : b);
  const earlier = (a: Date, b: Date) => (a < b ? a : b);
  const inside = Math.max(0, monthsFrom(later(months.first, held.first), earlier(months.last, held.last)));
  const outside = Math.max(0, monthsFrom(held.first, months.first)) + Math.max(0, monthsFrom(months.last, held.last));
  return outside < inside;
}
