import { topIsComplete } from '../../src/modules/reports/top-candidates';

describe('topIsComplete', () => {
  it('is complete when every title was a candidate, however few counted', () => {
    expect(topIsComplete({ size: 600, taken: 12, smallest: 1 }, [5, 2], 3)).toBe(true);
  });

  it('is complete when the top is full and a title left out falls short of its last', () => {
    expect(topIsComplete({ size: 600, taken: 600, smallest: 4 }, [9, 7, 5], 3)).toBe(true);
  });

  it('is not complete on a tie with the last: a title left out may come first by its key', () => {
    expect(topIsComplete({ size: 600, taken: 600, smallest: 5 }, [9, 7, 5], 3)).toBe(false);
  });

  it('is not complete when a title left out may have more than the last', () => {
    expect(topIsComplete({ size: 600, taken: 600, smallest: 6 }, [9, 7, 5], 3)).toBe(false);
  });

  it('is not complete when the top is not full: titles left out may fill it', () => {
    expect(topIsComplete({ size: 600, taken: 600, smallest: 1 }, [9, 7], 3)).toBe(false);
  });
});
