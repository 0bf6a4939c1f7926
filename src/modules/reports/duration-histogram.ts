/**
 * Exact percentiles from a histogram of durations and the values of a few of its buckets, computed as
 * PostgreSQL's `percentile_cont` computes them from all the values in order.
 */

/** The two 0-based ranks `percentile_cont(p)` reads among `n` values in order, and the weight of the upper. */
export function percentileRanks(p: number, n: number): { lower: number; upper: number; fraction: number } {
  const position = p * (n - 1);
  const lower = Math.floor(position);
  return { lower, upper: Math.ceil(position), fraction: position - lower };
}

/** The bucket of a histogram that holds the value of 0-based `rank`, and that value's rank within the bucket. */
export function bucketOfRank(counts: readonly number[], rank: number): { bucket: number; offset: number } {
  let before = 0;
  for (let bucket = 0; bucket < counts.length; bucket += 1) {
    if (rank < before + counts[bucket]) return { bucket, offset: rank - before };
    before += counts[bucket];
  }
  throw new RangeError(`rank ${rank} is beyond the ${before} values of the histogram`);
}

/** PostgreSQL's interpolation between the two values (float8_lerp). */
export function interpolate(lower: number, upper: number, fraction: number): number {
  return lower + (upper - lower) * fraction;
}
