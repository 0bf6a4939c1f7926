import { bucketOfRank, interpolate, percentileRanks } from '../../src/modules/reports/duration-histogram';

describe('percentileRanks', () => {
  it('reads the two values around p × (n − 1), as percentile_cont does', () => {
    expect(percentileRanks(0.5, 4)).toEqual({ lower: 1, upper: 2, fraction: 0.5 }); // 1.5
    expect(percentileRanks(0.9, 5)).toEqual({ lower: 3, upper: 4, fraction: expect.closeTo(0.6, 12) }); // 3.6
    expect(percentileRanks(0.5, 5)).toEqual({ lower: 2, upper: 2, fraction: 0 }); // a value itself
    expect(percentileRanks(0.9, 1)).toEqual({ lower: 0, upper: 0, fraction: 0 });
  });
});

describe('bucketOfRank', () => {
  const counts = [0, 2, 0, 3, 1];
  it('finds the bucket of each rank and the rank within it, skipping empty buckets', () => {
    expect([0, 1, 2, 3, 4, 5].map((rank) => bucketOfRank(counts, rank))).toEqual([
      { bucket: 1, offset: 0 },
      { bucket: 1, offset: 1 },
      { bucket: 3, offset: 0 },
      { bucket: 3, offset: 1 },
      { bucket: 3, offset: 2 },
      { bucket: 4, offset: 0 },
    ]);
  });

  it('refuses a rank beyond the histogram', () => {
    expect(() => bucketOfRank(counts, 6)).toThrow(RangeError);
  });
});

describe('interpolate', () => {
  it('goes from the lower value toward the upper by the fraction', () => {
    expect(interpolate(17, 27, 0.7)).toBeCloseTo(24, 12);
    expect(interpolate(5, 5, 0.3)).toBe(5);
  });
});
