/** Each title's trigrams (`show_trgm`) as sorted numbers, so that two titles compare in one merge. */
export function trigramCodes(titles: readonly (readonly string[])[]): Int32Array[] {
  const codes = new Map<string, number>();
  const code = (trigram: string) => {
    if (!codes.has(trigram)) codes.set(trigram, codes.size);
    return codes.get(trigram)!;
  };
  return titles.map((trigrams) => Int32Array.from(trigrams, code).sort());
}

/**
 * pg_trgm's similarity of two titles: shared trigrams over all trigrams, counted by merging the two
 * sorted sets as pg_trgm does, in single precision (so a threshold compares as it does in SQL).
 */
export function similarity(a: Int32Array, b: Int32Array): number {
  let shared = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) {
      shared += 1;
      i += 1;
      j += 1;
    } else if (a[i] < b[j]) i += 1;
    else j += 1;
  }
  return Math.fround(shared / (a.length + b.length - shared));
}

/**
 * The pairs [i, j] (i < j) of titles whose similarity is at least `threshold`, as `similarity` gives it:
 * shared trigrams are counted through each trigram's list of titles, so pairs with none cost nothing.
 */
export function similarPairs(codes: readonly Int32Array[], threshold: number): [number, number][] {
  const titlesOf = new Map<number, number[]>();
  codes.forEach((trigrams, i) => {
    for (const trigram of trigrams) {
      if (!titlesOf.has(trigram)) titlesOf.set(trigram, []);
      titlesOf.get(trigram)!.push(i);
    }
  });
  const pairs: [number, number][] = [];
  const shared = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i += 1) {
    shared.fill(0);
    for (const trigram of codes[i]) for (const j of titlesOf.get(trigram)!) if (j > i) shared[j] += 1;
    for (let j = i + 1; j < codes.length; j += 1) {
      if (shared[j] > 0 && Math.fround(shared[j] / (codes[i].length + codes[j].length - shared[j])) >= threshold) pairs.push([i, j]);
    }
  }
  return pairs;
}
