/** Randomness, seeded so that a run is reproducible, and time-ordered ids drawn from it. */

/** sfc32: small, fast, good enough for synthetic data. */
export class Rng {
  private a = 0x9e3779b9;
  private b = 0x243f6a88;
  private c = 0xb7e15162;
  private d: number;
  private spare = NaN;

  constructor(seed: number) {
    this.d = seed >>> 0;
    for (let i = 0; i < 24; i += 1) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.u32() / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  between(low: number, high: number): number {
    return low + this.next() * (high - low);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const value = this.spare;
      this.spare = NaN;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k += 1;
      p *= this.next();
    }
    return k;
  }
}

/** Picks an index with probability proportional to its weight (binary search on the running sum). */
export class Weighted {
  private readonly cumulative: Float64Array;

  constructor(weights: readonly number[]) {
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((weight, i) => (this.cumulative[i] = sum += weight));
  }

  pick(rng: Rng): number {
    const target = rng.next() * this.cumulative[this.cumulative.length - 1];
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.cumulative[middle] > target) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A UUIDv7 for an instant, like the app's keys: ordering by id is ordering by time. */
export function uuid7(rng: Rng, ms: number): string {
  const time = Math.floor(ms).toString(16).padStart(12, '0');
  const r1 = rng.u32();
  const r2 = rng.u32();
  const r3 = rng.u32();
  return (
    `${time.slice(0, 8)}-${time.slice(8, 12)}-${(0x7000 | (r1 & 0x0fff)).toString(16)}-${(0x8000 | ((r1 >>> 12) & 0x3fff)).toString(16)}-` +
    `${HEX[r2 >>> 24]}${HEX[(r2 >>> 16) & 255]}${HEX[(r2 >>> 8) & 255]}${HEX[r2 & 255]}${HEX[(r3 >>> 8) & 255]}${HEX[r3 & 255]}`
  );
}

/** Fisher–Yates, in place, on the seeded generator. */
export function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
