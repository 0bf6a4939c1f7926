/**
 * Seconds from the n-th failed attempt to the next (index n - 1): 5 s, 5 min, 30 min, 2 h, 5 h, then
 * 10 h seven times. With the first attempt made at once, that is 13 attempts over about 3.2 days.
 */
export const WEBHOOK_RETRY_DELAYS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000, 36_000, 36_000, 36_000, 36_000, 36_000] as const;

/**
 * The wait before the next attempt after `attempts` failed ones, with ±10% jitter so endpoints that
 * failed together are not all retried in the same second; null when the schedule is over.
 */
export function webhookRetryDelaySeconds(attempts: number, random: () => number = Math.random): number | null {
  const base = WEBHOOK_RETRY_DELAYS[attempts - 1];
  if (base === undefined) return null;
  return Math.max(1, Math.round(base * (0.9 + 0.2 * random())));
}

/** An endpoint whose attempts have all failed for this long since its last success is disabled. */
export const FAILING_DISABLE_MS = 5 * 24 * 3600 * 1000;
