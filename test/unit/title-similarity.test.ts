import { similarity, similarPairs, trigramCodes } from '../../src/modules/reports/title-similarity';

describe('similarPairs', () => {
  it('finds exactly the pairs whose similarity reaches the threshold, as comparing every pair does', () => {
    // Titles of a few trigrams from a small alphabet: many overlaps, ties at the threshold, and pairs with nothing shared.
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const titles = Array.from({ length: 120 }, () => [...new Set(Array.from({ length: 1 + Math.floor(random() * 12) }, () => `t${Math.floor(random() * 40)}`))]);
    const codes = trigramCodes(titles);
    for (const threshold of [0.2, 0.45, 0.5, 1]) {
      const expected: [number, number][] = [];
      for (let i = 0; i < codes.length; i += 1) for (let j = i + 1; j < codes.length; j += 1) if (similarity(codes[i], codes[j]) >= threshold) expected.push([i, j]);
      expect(expected.length).toBeGreaterThan(0);
      expect(similarPairs(codes, threshold)).toEqual(expected);
    }
  });
});
