import { DAY, fewerMonthsOutside, HOUR, monthCover, rollUpCover } from '../../src/modules/reports/roll-up-cover';

const at = (iso: string) => new Date(iso);
const iso = (range: [Date, Date]) => range.map((d) => d.toISOString());

describe('rollUpCover', () => {
  it('reads a period that starts and ends on the hour, with buckets on the hour, from whole hours alone', () => {
    const cover = rollUpCover(at('2026-03-09T00:00:00Z'), at('2026-03-14T00:00:00Z'), [at('2026-03-08T23:00:00Z'), at('2026-03-09T23:00:00Z')], HOUR);
    expect(cover.rows).toEqual([]);
    expect(cover.units).toEqual({ from: at('2026-03-09T00:00:00Z'), to: at('2026-03-14T00:00:00Z'), except: [] });
  });

  it('reads the partial hours at the edges from the rows', () => {
    const cover = rollUpCover(at('2026-03-09T00:17:00Z'), at('2026-03-09T05:45:30Z'), [], HOUR);
    expect(cover.units).toEqual({ from: at('2026-03-09T01:00:00Z'), to: at('2026-03-09T05:00:00Z'), except: [] });
    expect(cover.rows.map(iso)).toEqual([
      ['2026-03-09T00:17:00.000Z', '2026-03-09T01:00:00.000Z'],
      ['2026-03-09T05:00:00.000Z', '2026-03-09T05:45:30.000Z'],
    ]);
  });

  it('reads the hour a bucket starts inside from the rows (India starts its days at 18:30 UTC, Nepal at 18:15)', () => {
    const cover = rollUpCover(at('2026-03-09T00:00:00Z'), at('2026-03-11T00:00:00Z'), [
      at('2026-03-08T18:30:00Z'), // before the period: no hour to leave out
      at('2026-03-09T18:30:00Z'),
      at('2026-03-10T18:15:00Z'),
      at('2026-03-10T18:45:00Z'), // the same hour as the previous start: left out once
    ], HOUR);
    expect(cover.units!.except).toEqual([at('2026-03-09T18:00:00Z'), at('2026-03-10T18:00:00Z')]);
    expect(cover.rows.map(iso)).toEqual([
      ['2026-03-09T18:00:00.000Z', '2026-03-09T19:00:00.000Z'],
      ['2026-03-10T18:00:00.000Z', '2026-03-10T19:00:00.000Z'],
    ]);
  });

  it('reads a period within one hour from the rows alone', () => {
    const cover = rollUpCover(at('2026-03-09T10:05:00Z'), at('2026-03-09T10:55:00Z'), [at('2026-03-09T10:30:00Z')], HOUR);
    expect(cover.units).toBeNull();
    expect(cover.rows.map(iso)).toEqual([['2026-03-09T10:05:00.000Z', '2026-03-09T10:55:00.000Z']]);
  });

  it('by the day, reads the days a Berlin month starts inside from the rows, and whole days from the roll-up', () => {
    const cover = rollUpCover(at('2026-02-15T10:00:00Z'), at('2026-04-10T00:00:00Z'), [at('2026-01-31T23:00:00Z'), at('2026-02-28T23:00:00Z'), at('2026-03-31T22:00:00Z')], DAY);
    expect(cover.units).toEqual({ from: at('2026-02-16T00:00:00Z'), to: at('2026-04-10T00:00:00Z'), except: [at('2026-02-28T00:00:00Z'), at('2026-03-31T00:00:00Z')] });
    expect(cover.rows.map(iso)).toEqual([
      ['2026-02-15T10:00:00.000Z', '2026-02-16T00:00:00.000Z'],
      ['2026-02-28T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
      ['2026-03-31T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
    ]);
  });
});

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

describe('fewerMonthsOutside', () => {
  const months = (first: string, last: string) => ({ first: at(`${first}-01T00:00:00Z`), last: at(`${last}-01T00:00:00Z`) });
  // A roll-up holding January 2025 to December 2026 (24 months).
  const held = months('2025-01', '2027-01');

  it('counts a period as totals less the months outside it when fewer of the held months lie outside', () => {
    expect(fewerMonthsOutside(months('2025-01', '2027-01'), held)).toBe(true); // all of them, none outside
    expect(fewerMonthsOutside(months('2024-06', '2030-01'), held)).toBe(true); // beyond both ends
    expect(fewerMonthsOutside(months('2025-03', '2026-12'), held)).toBe(true); // 21 inside, 3 outside
    expect(fewerMonthsOutside(months('2025-01', '2026-02'), held)).toBe(true); // 13 inside, 11 outside
  });

  it('reads the months themselves when as many or more lie outside', () => {
    expect(fewerMonthsOutside(months('2025-01', '2026-01'), held)).toBe(false); // 12 and 12
    expect(fewerMonthsOutside(months('2026-06', '2026-07'), held)).toBe(false); // one month
    expect(fewerMonthsOutside(months('2023-01', '2025-02'), held)).toBe(false); // one held month inside, 23 outside
    expect(fewerMonthsOutside(months('2027-03', '2028-01'), held)).toBe(false); // none held inside
  });
});
