import { HOUR } from './clock';
import type { Rng } from './random';

/** Sorted creation instants over the two years up to now: weekday and office-hours peaks, growth, incident days. */
export function creationTimes(rng: Rng, count: number, now: number): Float64Array {
  const hours = 730 * 24;
  const start = now - hours * HOUR;
  const HOUR_SHAPE = [0.15, 0.1, 0.1, 0.1, 0.12, 0.2, 0.35, 0.6, 0.9, 1, 1, 0.95, 0.85, 0.95, 1, 0.95, 0.85, 0.65, 0.45, 0.35, 0.3, 0.25, 0.2, 0.18];
  const weights = new Float64Array(hours);
  let dayNoise = 1;
  let total = 0;
  for (let h = 0; h < hours; h += 1) {
    const instant = start + h * HOUR;
    const date = new Date(instant);
    if (h % 24 === 0) dayNoise = rng.lognormal(1, 0.15) * (rng.chance(0.012) ? rng.between(1.8, 3) : 1);
    const weekday = date.getUTCDay();
    const dayFactor = weekday === 0 ? 0.25 : weekday === 6 ? 0.3 : 1;
    weights[h] = (0.75 + (0.5 * h) / hours) * dayFactor * HOUR_SHAPE[date.getUTCHours()] * dayNoise;
    total += weights[h];
  }
  const times = new Float64Array(count);
  let cumulative = 0;
  let placed = 0;
  for (let h = 0; h < hours; h += 1) {
    cumulative += weights[h];
    const upTo = h === hours - 1 ? count : Math.min(count, Math.round((count * cumulative) / total));
    const n = upTo - placed;
    if (n <= 0) continue;
    const slice = times.subarray(placed, upTo);
    for (let i = 0; i < n; i += 1) slice[i] = Math.floor(start + h * HOUR + rng.next() * HOUR);
    slice.sort();
    placed = upTo;
  }
  return times;
}
