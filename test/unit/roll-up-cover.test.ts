import { monthCover } from '../../src/modules/reports/roll-up-cover';

const at = (iso: string) => new Date(iso);

describe('monthCover', () => {
  it('gives the UTC months that lie wholly inside the period, and the partial months at its edges', () => {
    expect(monthCover(at('2026-02-20T05:00:00Z'), at('2026-07-05T12:00:00Z'))).toEqual({
      months: { first: at('2026-03-01T00:00:00Z'), last: at('2026-07-01T00:00:00Z') },
      rows: [
        [at('2026-02-20T05:00:00Z'), at('2026-03-01T00:00:00Z')],
        [at('2026-07-01T00:00:00Z'), at('2026-07-05T12:00:00Z')],
      ],
    });
    expect(monthCover(at('2026-03-01T00:00:00Z'), at('2026-08-01T00:00:00Z'))).toEqual({ months: { first: at('2026-03-01T00:00:00Z'), last: at('2026-08-01T00:00:00Z') }, rows: [] });
    expect(monthCover(at('2025-12-31T23:00:00Z'), at('2026-02-01T00:00:00Z'))).toEqual({
      months: { first: at('2026-01-01T00:00:00Z'), last: at('2026-02-01T00:00:00Z') },
      rows: [[at('2025-12-31T23:00:00Z'), at('2026-01-01T00:00:00Z')]],
    });
  });

  it('counts the month of an edge whole when told nothing happened in its part outside the period', () => {
    const [from, to] = [at('2026-02-20T05:00:00Z'), at('2026-07-05T12:00:00Z')];
    expect(monthCover(from, to, { end: true })).toEqual({
      months: { first: at('2026-03-01T00:00:00Z'), last: at('2026-08-01T00:00:00Z') },
      rows: [[from, at('2026-03-01T00:00:00Z')]],
    });
    expect(monthCover(from, to, { start: true, end: true })).toEqual({ months: { first: at('2026-02-01T00:00:00Z'), last: at('2026-08-01T00:00:00Z') }, rows: [] });
    // Within one month: that month, whole, only when both of its parts outside the period are empty.
    expect(monthCover(at('2026-06-03T00:00:00Z'), at('2026-06-20T00:00:00Z'), { start: true, end: true })).toEqual({
      months: { first: at('2026-06-01T00:00:00Z'), last: at('2026-07-01T00:00:00Z') },
      rows: [],
    });
    expect(monthCover(at('2026-06-03T00:00:00Z'), at('2026-06-20T00:00:00Z'), { end: true }).months).toBeNull();
    // An edge on a month boundary stays where it is.
    expect(monthCover(at('2026-03-01T00:00:00Z'), at('2026-08-01T00:00:00Z'), { start: true, end: true }).months).toEqual({ first: at('2026-03-01T00:00:00Z'), last: at('2026-08-01T00:00:00Z') });
  });

  it('leaves the whole period to the rows when no month lies wholly inside', () => {
    expect(monthCover(at('2026-06-01T00:00:00Z'), at('2026-06-30T23:30:00Z'))).toEqual({ months: null, rows: [[at('2026-06-01T00:00:00Z'), at('2026-06-30T23:30:00Z')]] });
    expect(monthCover(at('2026-05-31T21:00:00Z'), at('2026-06-15T00:00:00Z')).months).toBeNull();
  });
});
