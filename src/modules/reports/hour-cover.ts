const HOUR = 3_600_000;

/** How a period's counts per bucket are read: whole UTC hours from `report_hour`, the rest from the rows. */
export interface HourCover {
  /** Whole hours in [from, to), each inside one bucket, none of `except`; null when there are none. */
  hours: { from: Date; to: Date; except: Date[] } | null;
  /** Ranges [from, to) read from the rows: the partial hours at the edges and the hours a bucket starts inside. */
  rows: [Date, Date][];
}

/**
 * Splits [from, to), cut at bucket `starts`, into whole UTC hours that lie inside one bucket and the
 * rest. Time zones whose offset is whole hours cut buckets on the hour, so only the period's edges
 * come from the rows; elsewhere (India, Nepal, …) also the one hour around each bucket start.
 */
export function hourCover(from: Date, to: Date, starts: readonly Date[]): HourCover {
  const first = Math.ceil(from.getTime() / HOUR) * HOUR;
  const last = Math.floor(to.getTime() / HOUR) * HOUR;
  if (first >= last) return { hours: null, rows: [[from, to]] };
  const rows: [Date, Date][] = [];
  if (from.getTime() < first) rows.push([from, new Date(first)]);
  if (last < to.getTime()) rows.push([new Date(last), to]);
  const except = [
    ...new Set(
      starts
        .map((start) => start.getTime())
        .filter((start) => start % HOUR !== 0)
        .map((start) => Math.floor(start / HOUR) * HOUR)
        .filter((hour) => hour >= first && hour < last),
    ),
  ].sort((a, b) => a - b);
  for (const hour of except) rows.push([new Date(hour), new Date(hour + HOUR)]);
  return { hours: { from: new Date(first), to: new Date(last), except: except.map((hour) => new Date(hour)) }, rows };
}
