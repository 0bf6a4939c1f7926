/** Each title's trigrams (`show_trgm`) as sorted numbers, so that two titles compare in one merge. */
export function trigramCodes(titles: readonly (readonly string[])[]): Int32Array[] {
  const codes = new Map<string, number>();
  return titles.map((trigrams) => {
    const coded = new Int32Array(trigrams.length);
    for (let x = 0; x < trigrams.length; x += 1) {
      let code = codes.get(trigrams[x]);
      if (code === undefined) codes.set(trigrams[x], (code = codes.size));
      coded[x] = code;
    }
    return coded.sort();
  });
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
 * The pairs [i, j] (i < j, in that order) of titles whose similarity is at least `threshold`, as
 * `similarity` gives it: shared trigrams are counted through each trigram's list of titles, visiting
 * for each title only the later titles that share a trigram with it. (Index loops over typed arrays:
 * 300 titles of a busy agent share 136,000 trigram pairs.)
 */
export function similarPairs(codes: readonly Int32Array[], threshold: number): [number, number][] {
  let trigrams = 0;
  for (const trigramsOf of codes) for (let x = 0; x < trigramsOf.length; x += 1) trigrams = Math.max(trigrams, trigramsOf[x] + 1);
  // Each trigram's titles in ascending order, one list after another: trigram g's are titles[start[g]] … titles[start[g + 1] - 1].
  const start = new Int32Array(trigrams + 1);
  for (const trigramsOf of codes) for (let x = 0; x < trigramsOf.length; x += 1) start[trigramsOf[x] + 1] += 1;
  for (let g = 0; g < trigrams; g += 1) start[g + 1] += start[g];
  const titles = new Int32Array(start[trigrams]);
  const filled = start.slice(0, trigrams);
  for (let i = 0; i < codes.length; i += 1) for (let x = 0; x < codes[i].length; x += 1) titles[filled[codes[i][x]]++] = i;
  // How many of each trigram's titles have been visited: title i's place in that list, as titles are visited in order.
  const visited = new Int32Array(trigrams);
  const shared = new Int32Array(codes.length);
  const pairs: [number, number][] = [];
  for (let i = 0; i < codes.length; i += 1) {
    const own = codes[i];
    for (let x = 0; x < own.length; x += 1) {
      const g = own[x];
      for (let k = start[g] + visited[g] + 1; k < start[g + 1]; k += 1) shared[titles[k]] += 1;
      visited[g] += 1;
    }
    for (let j = i + 1; j < codes.length; j += 1) {
      if (shared[j] === 0) continue;
      if (Math.fround(shared[j] / (own.length + codes[j].length - shared[j])) >= threshold) pairs.push([i, j]);
      shared[j] = 0;
    }
  }
  return pairs;
}
