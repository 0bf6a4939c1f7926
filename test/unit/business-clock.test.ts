import {
  ALWAYS_OPEN,
  addBusinessSeconds,
  businessSecondsBetween,
  calendarProblems,
  type BusinessCalendar,
} from '../../src/modules/sla/business-clock';

/**
 * Every expected instant below is written by hand with its local UTC offset (Berlin +01:00 in winter,
 * +02:00 in summer; New York -05:00 / -04:00). 2026: Jan 1 is a Thursday; DST starts on Sun Mar 29
 * (Berlin, 02:00 → 03:00) and Sun Mar 8 (New York), ends on Sun Oct 25 (Berlin, 03:00 → 02:00) and
 * Sun Nov 1 (New York, 02:00 → 01:00).
 */

const at = (iso: string): Date => new Date(iso);
const HOUR = 3600;
const WORKDAY = 8 * HOUR;
const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

const hours = (timeZone: string, changes: Partial<BusinessCalendar> = {}): BusinessCalendar => ({
  timeZone,
  workingDays: [1, 2, 3, 4, 5],
  opensAt: '09:00',
  closesAt: '17:00',
  alwaysOpen: false,
  ...changes,
});

const BERLIN = hours('Europe/Berlin');
const NEW_YORK = hours('America/New_York');
const TOKYO = hours('Asia/Tokyo');
const LOS_ANGELES = hours('America/Los_Angeles');
const BERLIN_MWF = hours('Europe/Berlin', { workingDays: [1, 3, 5] });
const BERLIN_7 = hours('Europe/Berlin', { workingDays: EVERY_DAY });
const NEW_YORK_7 = hours('America/New_York', { workingDays: EVERY_DAY });
/** Hours that contain the DST change. */
const BERLIN_DAY_LONG = hours('Europe/Berlin', { workingDays: EVERY_DAY, opensAt: '00:00', closesAt: '23:59' });
const NEW_YORK_DAY_LONG = hours('America/New_York', { workingDays: EVERY_DAY, opensAt: '00:00', closesAt: '23:59' });
const BERLIN_ALL_DAY = hours('Europe/Berlin', { workingDays: EVERY_DAY, opensAt: '00:00', closesAt: '24:00' });
const BERLIN_WEEKDAYS_ALL_DAY = hours('Europe/Berlin', { opensAt: '00:00', closesAt: '24:00' });
const BERLIN_NIGHT = hours('Europe/Berlin', { workingDays: EVERY_DAY, opensAt: '01:00', closesAt: '04:00' });
const NEW_YORK_NIGHT = hours('America/New_York', { workingDays: EVERY_DAY, opensAt: '01:00', closesAt: '04:00' });
/** Opening inside the hour that spring-forward skips and fall-back repeats. */
const BERLIN_0230 = hours('Europe/Berlin', { workingDays: EVERY_DAY, opensAt: '02:30', closesAt: '05:00' });
/** Closing inside that hour. */
const BERLIN_UNTIL_0230 = hours('Europe/Berlin', { workingDays: EVERY_DAY, opensAt: '01:00', closesAt: '02:30' });
/** Both inside that hour: no business time at all on the spring-forward day. */
const BERLIN_0210_0250 = hours('Europe/Berlin', { workingDays: EVERY_DAY, opensAt: '02:10', closesAt: '02:50' });
const BERLIN_24_7: BusinessCalendar = { ...BERLIN, alwaysOpen: true };
const NEW_YORK_24_7: BusinessCalendar = { ...NEW_YORK, alwaysOpen: true };

/** [what, calendar, start, seconds, expected end]. Each also checks businessSecondsBetween(start, end) === seconds. */
type Case = [string, BusinessCalendar, string, number, string];

const cases: Case[] = [
  // Weekdays, 09:00–17:00 Berlin (winter, +01:00).
  ['within hours', BERLIN, '2026-01-06T10:00+01:00', 2 * HOUR, '2026-01-06T12:00+01:00'],
  ['overnight', BERLIN, '2026-01-06T16:00+01:00', 2 * HOUR, '2026-01-07T10:00+01:00'],
  ['over the weekend (Friday 16:00 + 2 h)', BERLIN, '2026-01-09T16:00+01:00', 2 * HOUR, '2026-01-12T10:00+01:00'],
  ['starting on Saturday', BERLIN, '2026-01-10T12:00+01:00', HOUR, '2026-01-12T10:00+01:00'],
  ['starting late on Sunday', BERLIN, '2026-01-11T23:30+01:00', 1800, '2026-01-12T09:30+01:00'],
  ['starting after closing', BERLIN, '2026-01-06T18:30+01:00', 1800, '2026-01-07T09:30+01:00'],
  ['starting before opening', BERLIN, '2026-01-06T07:15+01:00', HOUR, '2026-01-06T10:00+01:00'],
  ['zero seconds inside hours', BERLIN, '2026-01-06T13:37:11+01:00', 0, '2026-01-06T13:37:11+01:00'],
  ['zero seconds at opening', BERLIN, '2026-01-06T09:00+01:00', 0, '2026-01-06T09:00+01:00'],
  ['zero seconds before opening', BERLIN, '2026-01-06T08:59:59+01:00', 0, '2026-01-06T09:00+01:00'],
  ['zero seconds at closing: the next opening', BERLIN, '2026-01-06T17:00+01:00', 0, '2026-01-07T09:00+01:00'],
  ['zero seconds on Saturday', BERLIN, '2026-01-10T12:00+01:00', 0, '2026-01-12T09:00+01:00'],
  ['zero seconds on Friday evening', BERLIN, '2026-01-09T17:30+01:00', 0, '2026-01-12T09:00+01:00'],
  ['a full day from opening ends at closing', BERLIN, '2026-01-06T09:00+01:00', WORKDAY, '2026-01-06T17:00+01:00'],
  ['a second from closing', BERLIN, '2026-01-06T17:00+01:00', 1, '2026-01-07T09:00:01+01:00'],
  ['a second before closing', BERLIN, '2026-01-06T16:59:59+01:00', 1, '2026-01-06T17:00+01:00'],
  ['two seconds before closing', BERLIN, '2026-01-06T16:59:59+01:00', 2, '2026-01-07T09:00:01+01:00'],
  ['milliseconds of the start are kept', BERLIN, '2026-01-06T10:00:00.250+01:00', 1, '2026-01-06T10:00:01.250+01:00'],
  ['5 business days from Monday opening', BERLIN, '2026-01-05T09:00+01:00', 5 * WORKDAY, '2026-01-09T17:00+01:00'],
  ['5 business days from Tuesday 13:00', BERLIN, '2026-01-06T13:00+01:00', 5 * WORKDAY, '2026-01-13T13:00+01:00'],
  ['3 weeks', BERLIN, '2026-01-07T11:00+01:00', 15 * WORKDAY, '2026-01-28T11:00+01:00'],
  ['2 weeks into summer time', BERLIN, '2026-03-23T09:00+01:00', 10 * WORKDAY, '2026-04-03T17:00+02:00'],
  ['the 261 weekdays of 2026', BERLIN, '2026-01-01T00:00+01:00', 261 * WORKDAY, '2026-12-31T17:00+01:00'],

  // Working days Monday, Wednesday, Friday.
  ['MWF: Monday to Wednesday', BERLIN_MWF, '2026-01-05T16:00+01:00', 2 * HOUR, '2026-01-07T10:00+01:00'],
  ['MWF: Friday to Monday', BERLIN_MWF, '2026-01-09T16:00+01:00', 2 * HOUR, '2026-01-12T10:00+01:00'],
  ['MWF: Wednesday to Friday closing', BERLIN_MWF, '2026-01-07T16:00+01:00', 9 * HOUR, '2026-01-09T17:00+01:00'],
  ['MWF: Wednesday to Monday', BERLIN_MWF, '2026-01-07T16:00+01:00', 10 * HOUR, '2026-01-12T10:00+01:00'],
  ['MWF: zero seconds on Tuesday', BERLIN_MWF, '2026-01-06T10:00+01:00', 0, '2026-01-07T09:00+01:00'],
  ['MWF: two weeks', BERLIN_MWF, '2026-01-05T09:00+01:00', 6 * WORKDAY, '2026-01-16T17:00+01:00'],

  // One instant, 2026-01-14T20:00Z: Thursday 05:00 in Tokyo, Wednesday 12:00 in Los Angeles.
  ['Tokyo: zero seconds', TOKYO, '2026-01-14T20:00Z', 0, '2026-01-15T09:00+09:00'],
  ['Los Angeles: zero seconds', LOS_ANGELES, '2026-01-14T20:00Z', 0, '2026-01-14T12:00-08:00'],
  ['Tokyo: an hour', TOKYO, '2026-01-14T20:00Z', HOUR, '2026-01-15T10:00+09:00'],
  ['Los Angeles: an hour', LOS_ANGELES, '2026-01-14T20:00Z', HOUR, '2026-01-14T13:00-08:00'],
  ['Tokyo: a working day', TOKYO, '2026-01-14T20:00Z', WORKDAY, '2026-01-15T17:00+09:00'],
  ['Los Angeles: a working day', LOS_ANGELES, '2026-01-14T20:00Z', WORKDAY, '2026-01-15T12:00-08:00'],

  // DST with 09:00–17:00: the change is at night, so working days stay 8 h.
  ['Berlin spring-forward weekend', BERLIN, '2026-03-27T16:00+01:00', 2 * HOUR, '2026-03-30T10:00+02:00'],
  ['Berlin fall-back weekend', BERLIN, '2026-10-23T16:00+02:00', 2 * HOUR, '2026-10-26T10:00+01:00'],
  ['Berlin 7 days: into spring-forward Sunday', BERLIN_7, '2026-03-28T16:00+01:00', 2 * HOUR, '2026-03-29T10:00+02:00'],
  ['Berlin 7 days: spring-forward Sunday is 8 h', BERLIN_7, '2026-03-29T09:00+02:00', WORKDAY, '2026-03-29T17:00+02:00'],
  ['Berlin 7 days: into fall-back Sunday', BERLIN_7, '2026-10-24T16:00+02:00', 2 * HOUR, '2026-10-25T10:00+01:00'],
  ['Berlin 7 days: fall-back Sunday is 8 h', BERLIN_7, '2026-10-25T09:00+01:00', WORKDAY, '2026-10-25T17:00+01:00'],
  ['New York spring-forward weekend', NEW_YORK, '2026-03-06T16:00-05:00', 2 * HOUR, '2026-03-09T10:00-04:00'],
  ['New York fall-back weekend', NEW_YORK, '2026-10-30T16:00-04:00', 2 * HOUR, '2026-11-02T10:00-05:00'],
  ['New York 7 days: into spring-forward Sunday', NEW_YORK_7, '2026-03-07T16:00-05:00', 2 * HOUR, '2026-03-08T10:00-04:00'],
  ['New York 7 days: into fall-back Sunday', NEW_YORK_7, '2026-10-31T16:00-04:00', 2 * HOUR, '2026-11-01T10:00-05:00'],

  // Hours containing the change count the real 23 h / 25 h day.
  ['Berlin 00:00–23:59: spring-forward day is 22:59', BERLIN_DAY_LONG, '2026-03-29T00:00+01:00', 82740, '2026-03-29T23:59+02:00'],
  ['Berlin 00:00–23:59: a second more', BERLIN_DAY_LONG, '2026-03-29T00:00+01:00', 82741, '2026-03-30T00:00:01+02:00'],
  ['Berlin 00:00–23:59: fall-back day is 24:59', BERLIN_DAY_LONG, '2026-10-25T00:00+02:00', 89940, '2026-10-25T23:59+01:00'],
  ['Berlin 00:00–23:59: from Saturday closing', BERLIN_DAY_LONG, '2026-03-28T23:59+01:00', 0, '2026-03-29T00:00+01:00'],
  ['Berlin 00:00–23:59: a real hour over the jump', BERLIN_DAY_LONG, '2026-03-29T01:30+01:00', HOUR, '2026-03-29T03:30+02:00'],
  ['Berlin 00:00–23:59: a real hour over the repeat', BERLIN_DAY_LONG, '2026-10-25T02:30+02:00', HOUR, '2026-10-25T02:30+01:00'],
  ['New York 00:00–23:59: spring-forward day', NEW_YORK_DAY_LONG, '2026-03-08T00:00-05:00', 82740, '2026-03-08T23:59-04:00'],
  ['New York 00:00–23:59: fall-back day', NEW_YORK_DAY_LONG, '2026-11-01T00:00-04:00', 89940, '2026-11-01T23:59-05:00'],
  ['New York 00:00–23:59: a real hour over the repeat', NEW_YORK_DAY_LONG, '2026-11-01T01:30-04:00', HOUR, '2026-11-01T01:30-05:00'],
  ['Berlin 01:00–04:00: spring-forward day is 2 h', BERLIN_NIGHT, '2026-03-29T01:00+01:00', 2 * HOUR, '2026-03-29T04:00+02:00'],
  ['Berlin 01:00–04:00: then the next night', BERLIN_NIGHT, '2026-03-29T01:00+01:00', 2 * HOUR + 1, '2026-03-30T01:00:01+02:00'],
  ['Berlin 01:00–04:00: fall-back day is 4 h', BERLIN_NIGHT, '2026-10-25T01:00+02:00', 4 * HOUR, '2026-10-25T04:00+01:00'],
  ['New York 01:00–04:00: spring-forward day is 2 h', NEW_YORK_NIGHT, '2026-03-08T01:00-05:00', 2 * HOUR, '2026-03-08T04:00-04:00'],
  ['New York 01:00–04:00: fall-back day is 4 h', NEW_YORK_NIGHT, '2026-11-01T01:00-04:00', 4 * HOUR, '2026-11-01T04:00-05:00'],
  ['New York 01:00–04:00: opens at the first 01:00', NEW_YORK_NIGHT, '2026-10-31T12:00-04:00', 0, '2026-11-01T01:00-04:00'],
  ['New York 01:00–04:00: from the second 01:30', NEW_YORK_NIGHT, '2026-11-01T01:30-05:00', 1800, '2026-11-01T02:00-05:00'],
  ['Berlin 00:00–24:00: spring-forward day is 23 h', BERLIN_ALL_DAY, '2026-03-29T00:00+01:00', 23 * HOUR, '2026-03-30T00:00+02:00'],
  ['Berlin 00:00–24:00: straight into Monday', BERLIN_ALL_DAY, '2026-03-29T00:00+01:00', 23 * HOUR + 1, '2026-03-30T00:00:01+02:00'],
  ['Berlin 00:00–24:00: fall-back day is 25 h', BERLIN_ALL_DAY, '2026-10-25T00:00+02:00', 25 * HOUR, '2026-10-26T00:00+01:00'],
  ['Berlin 00:00–24:00: zero seconds at midnight', BERLIN_ALL_DAY, '2026-03-30T00:00+02:00', 0, '2026-03-30T00:00+02:00'],
  ['Berlin weekdays 00:00–24:00: over the weekend', BERLIN_WEEKDAYS_ALL_DAY, '2026-01-09T23:00+01:00', 2 * HOUR, '2026-01-12T01:00+01:00'],

  // Opening or closing at a local time that is skipped or repeated.
  ['skipped 02:30 opens when the clock jumps to 03:00', BERLIN_0230, '2026-03-28T12:00+01:00', 0, '2026-03-29T03:00+02:00'],
  ['skipped 02:30: that day is 2 h', BERLIN_0230, '2026-03-29T03:00+02:00', 2 * HOUR, '2026-03-29T05:00+02:00'],
  ['02:30–05:00 on an ordinary day is 2:30', BERLIN_0230, '2026-03-28T02:30+01:00', 9000, '2026-03-28T05:00+01:00'],
  ['repeated 02:30 opens at its first occurrence', BERLIN_0230, '2026-10-24T12:00+02:00', 0, '2026-10-25T02:30+02:00'],
  ['repeated 02:30: that day is 3:30', BERLIN_0230, '2026-10-25T02:30+02:00', 12600, '2026-10-25T05:00+01:00'],
  ['repeated 02:30 closes at its first occurrence', BERLIN_UNTIL_0230, '2026-10-25T01:00+02:00', 5400, '2026-10-25T02:30+02:00'],
  ['repeated 02:30 closing: then the next night', BERLIN_UNTIL_0230, '2026-10-25T01:00+02:00', 5401, '2026-10-26T01:00:01+01:00'],
  ['skipped 02:30 closes when the clock jumps', BERLIN_UNTIL_0230, '2026-03-29T01:00+01:00', HOUR, '2026-03-29T03:00+02:00'],
  ['skipped 02:30 closing: then the next night', BERLIN_UNTIL_0230, '2026-03-29T01:00+01:00', HOUR + 1, '2026-03-30T01:00:01+02:00'],
  ['02:10–02:50 does not open on spring-forward day', BERLIN_0210_0250, '2026-03-28T12:00+01:00', 0, '2026-03-30T02:10+02:00'],

  // Always open: real elapsed time, whatever the zone's clocks do.
  ['ALWAYS_OPEN on a Saturday', ALWAYS_OPEN, '2026-01-10T12:00Z', 90, '2026-01-10T12:01:30Z'],
  ['Berlin 24/7 over spring-forward', BERLIN_24_7, '2026-03-28T12:00+01:00', 24 * HOUR, '2026-03-29T13:00+02:00'],
  ['Berlin 24/7 over fall-back', BERLIN_24_7, '2026-10-24T12:00+02:00', 24 * HOUR, '2026-10-25T11:00+01:00'],
  ['New York 24/7 over spring-forward', NEW_YORK_24_7, '2026-03-07T12:00-05:00', 24 * HOUR, '2026-03-08T13:00-04:00'],
  ['New York 24/7 over fall-back', NEW_YORK_24_7, '2026-10-31T12:00-04:00', 24 * HOUR, '2026-11-01T11:00-05:00'],
  ['Berlin 24/7 for a year', BERLIN_24_7, '2026-01-01T00:00+01:00', 365 * 24 * HOUR, '2027-01-01T00:00+01:00'],
];

describe('addBusinessSeconds', () => {
  it.each(cases)('%s', (_what, calendar, start, seconds, end) => {
    expect(addBusinessSeconds(at(start), seconds, calendar).toISOString()).toBe(at(end).toISOString());
  });

  it('rounds fractional seconds to the millisecond', () => {
    expect(addBusinessSeconds(at('2026-01-06T10:00+01:00'), 1.5, BERLIN).toISOString()).toBe(at('2026-01-06T10:00:01.500+01:00').toISOString());
    expect(addBusinessSeconds(at('2026-01-10T12:00Z'), 0.0004, ALWAYS_OPEN).toISOString()).toBe('2026-01-10T12:00:00.000Z');
  });

  it('does not change its start', () => {
    const start = at('2026-01-09T16:00+01:00');
    addBusinessSeconds(start, 2 * HOUR, BERLIN);
    expect(start.toISOString()).toBe('2026-01-09T15:00:00.000Z');
  });
});

/** [what, calendar, from, to, expected seconds]: spans that are not of the form start → addBusinessSeconds. */
type Span = [string, BusinessCalendar, string, string, number];

const spans: Span[] = [
  ['an empty span', BERLIN, '2026-01-06T10:00+01:00', '2026-01-06T10:00+01:00', 0],
  ['a reversed span', BERLIN, '2026-01-06T12:00+01:00', '2026-01-06T10:00+01:00', 0],
  ['a reversed span, 24/7', ALWAYS_OPEN, '2026-01-06T12:00Z', '2026-01-06T10:00Z', 0],
  ['closing to next opening', BERLIN, '2026-01-06T17:00+01:00', '2026-01-07T09:00+01:00', 0],
  ['a weekend', BERLIN, '2026-01-09T17:00+01:00', '2026-01-12T09:00+01:00', 0],
  ['opening to closing', BERLIN, '2026-01-06T09:00+01:00', '2026-01-06T17:00+01:00', WORKDAY],
  ['ending after closing', BERLIN, '2026-01-06T10:00+01:00', '2026-01-06T20:00+01:00', 7 * HOUR],
  ['overnight, ending before opening', BERLIN, '2026-01-06T16:00+01:00', '2026-01-07T08:00+01:00', HOUR],
  ['Monday opening to Friday closing', BERLIN, '2026-01-05T09:00+01:00', '2026-01-09T17:00+01:00', 5 * WORKDAY],
  ['Saturday to Saturday', BERLIN, '2026-01-10T00:00+01:00', '2026-01-17T00:00+01:00', 5 * WORKDAY],
  ['MWF: Monday to Monday', BERLIN_MWF, '2026-01-05T09:00+01:00', '2026-01-12T09:00+01:00', 3 * WORKDAY],
  ['MWF: Tuesday alone', BERLIN_MWF, '2026-01-06T00:00+01:00', '2026-01-07T00:00+01:00', 0],
  ['year 2026, weekdays', BERLIN, '2026-01-01T00:00+01:00', '2027-01-01T00:00+01:00', 261 * WORKDAY],
  ['year 2026, 00:00–24:00 every day', BERLIN_ALL_DAY, '2026-01-01T00:00+01:00', '2027-01-01T00:00+01:00', 365 * 24 * HOUR],
  ['year 2026, ALWAYS_OPEN', ALWAYS_OPEN, '2026-01-01T00:00Z', '2027-01-01T00:00Z', 365 * 24 * HOUR],
  ['rounds down to whole seconds', ALWAYS_OPEN, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.999Z', 1],
  ['rounds down within hours', BERLIN, '2026-01-06T10:00:00.400+01:00', '2026-01-06T10:00:01.300+01:00', 0],

  // 2026-01-14T20:00Z to 2026-01-15T02:00Z: Thursday 05:00–11:00 in Tokyo, Wednesday 12:00–18:00 in Los Angeles.
  ['Tokyo: 6 h from 05:00', TOKYO, '2026-01-14T20:00Z', '2026-01-15T02:00Z', 2 * HOUR],
  ['Los Angeles: 6 h from 12:00', LOS_ANGELES, '2026-01-14T20:00Z', '2026-01-15T02:00Z', 5 * HOUR],

  // DST weekends and change days.
  ['Berlin 7 days: Saturday and spring-forward Sunday', BERLIN_7, '2026-03-28T00:00+01:00', '2026-03-30T00:00+02:00', 2 * WORKDAY],
  ['Berlin 7 days: Saturday and fall-back Sunday', BERLIN_7, '2026-10-24T00:00+02:00', '2026-10-26T00:00+01:00', 2 * WORKDAY],
  ['New York 7 days: spring-forward Sunday', NEW_YORK_7, '2026-03-08T00:00-05:00', '2026-03-09T00:00-04:00', WORKDAY],
  ['New York 7 days: fall-back Sunday', NEW_YORK_7, '2026-11-01T00:00-04:00', '2026-11-02T00:00-05:00', WORKDAY],
  ['Berlin weekdays over spring-forward weekend', BERLIN, '2026-03-27T12:00+01:00', '2026-03-30T12:00+02:00', 8 * HOUR],
  ['Berlin 24/7: two days with spring-forward', BERLIN_24_7, '2026-03-28T00:00+01:00', '2026-03-30T00:00+02:00', 47 * HOUR],
  ['Berlin 24/7: two days with fall-back', BERLIN_24_7, '2026-10-24T00:00+02:00', '2026-10-26T00:00+01:00', 49 * HOUR],
  ['Berlin 24/7: 12:00 to 12:00 over spring-forward', BERLIN_24_7, '2026-03-28T12:00+01:00', '2026-03-29T12:00+02:00', 23 * HOUR],
  ['New York 24/7: 12:00 to 12:00 over fall-back', NEW_YORK_24_7, '2026-10-31T12:00-04:00', '2026-11-01T12:00-05:00', 25 * HOUR],
  ['Berlin 00:00–23:59: an ordinary day', BERLIN_DAY_LONG, '2026-03-28T00:00+01:00', '2026-03-29T00:00+01:00', 86340],
  ['Berlin 00:00–23:59: spring-forward day', BERLIN_DAY_LONG, '2026-03-29T00:00+01:00', '2026-03-30T00:00+02:00', 82740],
  ['Berlin 00:00–23:59: fall-back day', BERLIN_DAY_LONG, '2026-10-25T00:00+02:00', '2026-10-26T00:00+01:00', 89940],
  ['New York 00:00–23:59: spring-forward day', NEW_YORK_DAY_LONG, '2026-03-08T00:00-05:00', '2026-03-09T00:00-04:00', 82740],
  ['New York 00:00–23:59: fall-back day', NEW_YORK_DAY_LONG, '2026-11-01T00:00-04:00', '2026-11-02T00:00-05:00', 89940],
  ['Berlin 00:00–24:00: the week of spring-forward', BERLIN_ALL_DAY, '2026-03-23T00:00+01:00', '2026-03-30T00:00+02:00', 7 * 24 * HOUR - HOUR],
  ['Berlin 01:00–04:00: an ordinary night', BERLIN_NIGHT, '2026-03-28T00:00+01:00', '2026-03-29T00:00+01:00', 3 * HOUR],
  ['Berlin 01:00–04:00: spring-forward night', BERLIN_NIGHT, '2026-03-29T00:00+01:00', '2026-03-30T00:00+02:00', 2 * HOUR],
  ['Berlin 01:00–04:00: fall-back night', BERLIN_NIGHT, '2026-10-25T00:00+02:00', '2026-10-26T00:00+01:00', 4 * HOUR],
  ['Berlin 01:00–04:00: only the hour after the jump', BERLIN_NIGHT, '2026-03-29T03:00+02:00', '2026-03-29T04:00+02:00', HOUR],
  ['New York 01:00–04:00: spring-forward night', NEW_YORK_NIGHT, '2026-03-08T00:00-05:00', '2026-03-09T00:00-04:00', 2 * HOUR],
  ['New York 01:00–04:00: fall-back night', NEW_YORK_NIGHT, '2026-11-01T00:00-04:00', '2026-11-02T00:00-05:00', 4 * HOUR],
  ['New York 01:00–04:00: the repeated hour only', NEW_YORK_NIGHT, '2026-11-01T01:00-05:00', '2026-11-01T02:00-05:00', HOUR],
  ['02:30–05:00: spring-forward day', BERLIN_0230, '2026-03-29T00:00+01:00', '2026-03-30T00:00+02:00', 2 * HOUR],
  ['02:30–05:00: fall-back day', BERLIN_0230, '2026-10-25T00:00+02:00', '2026-10-26T00:00+01:00', 12600],
  ['01:00–02:30: spring-forward day', BERLIN_UNTIL_0230, '2026-03-29T00:00+01:00', '2026-03-30T00:00+02:00', HOUR],
  ['01:00–02:30: fall-back day', BERLIN_UNTIL_0230, '2026-10-25T00:00+02:00', '2026-10-26T00:00+01:00', 5400],
  ['02:10–02:50: an ordinary day', BERLIN_0210_0250, '2026-03-28T00:00+01:00', '2026-03-29T00:00+01:00', 2400],
  ['02:10–02:50: spring-forward day', BERLIN_0210_0250, '2026-03-29T00:00+01:00', '2026-03-30T00:00+02:00', 0],
  ['02:10–02:50: fall-back day', BERLIN_0210_0250, '2026-10-25T00:00+02:00', '2026-10-26T00:00+01:00', 2400],
];

describe('businessSecondsBetween', () => {
  it.each(cases)('%s (start to end)', (_what, calendar, start, seconds, end) => {
    expect(businessSecondsBetween(at(start), at(end), calendar)).toBe(seconds);
  });

  it.each(spans)('%s', (_what, calendar, from, to, seconds) => {
    expect(businessSecondsBetween(at(from), at(to), calendar)).toBe(seconds);
  });

  it('gives the same UTC instants different answers in Tokyo and Los Angeles', () => {
    const from = at('2026-01-14T20:00Z');
    const to = at('2026-01-15T02:00Z');
    expect([businessSecondsBetween(from, to, TOKYO), businessSecondsBetween(from, to, LOS_ANGELES)]).toEqual([2 * HOUR, 5 * HOUR]);
  });
});

describe('long spans', () => {
  it('counts ten years of weekdays', () => {
    // 2026-01-01 (Thu) to 2036-01-01 (Tue): 3652 days = 521 weeks + Thu, Fri, Sat, Sun, Mon → 2608 weekdays.
    expect(businessSecondsBetween(at('2026-01-01T00:00+01:00'), at('2036-01-01T00:00+01:00'), BERLIN)).toBe(2608 * WORKDAY);
    expect(addBusinessSeconds(at('2026-01-01T00:00+01:00'), 2608 * WORKDAY, BERLIN).toISOString()).toBe(at('2035-12-31T17:00+01:00').toISOString());
  });
});

/** A deterministic pseudo-random generator (mulberry32), so the table below is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const propertyCalendars: [string, BusinessCalendar][] = [
  ['Berlin 09–17', BERLIN],
  ['New York 09–17', NEW_YORK],
  ['Tokyo 09–17', TOKYO],
  ['Los Angeles 09–17', LOS_ANGELES],
  ['Berlin MWF', BERLIN_MWF],
  ['Berlin 00:00–23:59', BERLIN_DAY_LONG],
  ['Berlin 00:00–24:00', BERLIN_ALL_DAY],
  ['New York 01:00–04:00', NEW_YORK_NIGHT],
  ['Berlin 02:30–05:00', BERLIN_0230],
  ['Berlin 01:00–02:30', BERLIN_UNTIL_0230],
  ['Berlin 02:10–02:50', BERLIN_0210_0250],
  ['Berlin 24/7', BERLIN_24_7],
  // Half-hour DST at 02:00 local.
  ['Lord Howe 01:00–03:00', hours('Australia/Lord_Howe', { workingDays: EVERY_DAY, opensAt: '01:00', closesAt: '03:00' })],
  // DST changes at local midnight.
  ['Santiago 00:00–02:00', hours('America/Santiago', { workingDays: EVERY_DAY, opensAt: '00:00', closesAt: '02:00' })],
  ['Kolkata weekends 10:30–14:45', hours('Asia/Kolkata', { workingDays: [6, 7], opensAt: '10:30', closesAt: '14:45' })],
];

describe('inverse property: businessSecondsBetween undoes addBusinessSeconds', () => {
  const random = seeded(20260329);
  const first = Date.parse('2025-12-01T00:00Z');
  const last = Date.parse('2027-02-01T00:00Z');
  const table = propertyCalendars.flatMap(([name, calendar]) =>
    Array.from({ length: 24 }, (_, index) => {
      const start = new Date(first + Math.floor(random() * (last - first)));
      const scale = [0, 60, HOUR, 3 * 24 * HOUR, 60 * 24 * HOUR][index % 5];
      const seconds = Math.floor(random() * scale);
      return [name, start.toISOString(), seconds, calendar] as const;
    }),
  );

  it.each(table)('%s from %s + %d s', (_name, startIso, seconds, calendar) => {
    const start = new Date(startIso);
    const end = addBusinessSeconds(start, seconds, calendar);
    const opened = addBusinessSeconds(start, 0, calendar);
    expect(end.getTime()).toBeGreaterThanOrEqual(opened.getTime());
    expect(opened.getTime()).toBeGreaterThanOrEqual(start.getTime());
    expect(businessSecondsBetween(opened, end, calendar)).toBe(seconds);
    // Nothing between start and the next opening counts.
    expect(businessSecondsBetween(start, end, calendar)).toBe(seconds);
    expect(businessSecondsBetween(start, opened, calendar)).toBe(0);
    // One second more never ends earlier.
    expect(addBusinessSeconds(start, seconds + 1, calendar).getTime()).toBeGreaterThan(end.getTime());
  });
});

/**
 * A slow, independent oracle: walk minute by minute and ask Intl (not luxon) for the local weekday and
 * time. It agrees with the module for hours whose opening and closing are not skipped or repeated.
 */
function oracleIsOpen(calendar: BusinessCalendar): (instant: number) => boolean {
  const format = new Intl.DateTimeFormat('en-GB', { timeZone: calendar.timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const weekdays = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  return (instant) => {
    const parts = Object.fromEntries(format.formatToParts(instant).map((part) => [part.type, part.value]));
    const minute = Number(parts.hour) * 60 + Number(parts.minute);
    const weekday = weekdays.indexOf(parts.weekday) + 1;
    return calendar.workingDays.includes(weekday) && minute >= minutes(calendar.opensAt) && minute < minutes(calendar.closesAt);
  };
}

describe('agreement with a minute-by-minute oracle', () => {
  const random = seeded(7);
  const oracleCalendars: [string, BusinessCalendar][] = [
    ['Berlin 09–17', BERLIN],
    ['New York 7 days 09–17', NEW_YORK_7],
    ['Berlin 00:00–23:59', BERLIN_DAY_LONG],
    ['Berlin 01:00–04:00', BERLIN_NIGHT],
    ['New York 01:00–04:00', NEW_YORK_NIGHT],
    ['Berlin MWF', BERLIN_MWF],
  ];
  // Around the four DST changes of 2026 and one ordinary week.
  const anchors = ['2026-03-08T00:00Z', '2026-03-29T00:00Z', '2026-10-25T00:00Z', '2026-11-01T00:00Z', '2026-06-10T00:00Z'].map(Date.parse);
  const MINUTE_MS = 60_000;
  const table = oracleCalendars.flatMap(([name, calendar]) =>
    anchors.map((anchor) => {
      const from = anchor - Math.floor(random() * 2 * 24 * 60) * MINUTE_MS;
      const to = anchor + Math.floor(random() * 2 * 24 * 60) * MINUTE_MS;
      return [name, new Date(from).toISOString(), new Date(to).toISOString(), calendar] as const;
    }),
  );

  it.each(table)('%s from %s to %s', (_name, fromIso, toIso, calendar) => {
    const isOpen = oracleIsOpen(calendar);
    const from = Date.parse(fromIso);
    const to = Date.parse(toIso);
    let openMinutes = 0;
    let firstOpen: number | null = null;
    let endOfHalf: number | null = null;
    for (let minute = from; minute < to; minute += MINUTE_MS) {
      if (!isOpen(minute)) continue;
      firstOpen ??= minute;
      openMinutes += 1;
      if (openMinutes === 30) endOfHalf = minute + MINUTE_MS;
    }
    expect(businessSecondsBetween(new Date(from), new Date(to), calendar)).toBe(openMinutes * 60);
    if (firstOpen !== null) expect(addBusinessSeconds(new Date(from), 0, calendar).getTime()).toBe(firstOpen);
    if (endOfHalf !== null) expect(addBusinessSeconds(new Date(from), 30 * 60, calendar).getTime()).toBe(endOfHalf);
  });
});

describe('calendarProblems', () => {
  const fields = (calendar: BusinessCalendar): string[] => calendarProblems(calendar).map((problem) => problem.field);

  it.each([
    ['Berlin 09–17', BERLIN],
    ['ALWAYS_OPEN', ALWAYS_OPEN],
    ['00:00–24:00', BERLIN_ALL_DAY],
    ['UTC', hours('UTC')],
    ['a single day', hours('Asia/Tokyo', { workingDays: [7] })],
    ['repeated days', hours('Asia/Tokyo', { workingDays: [1, 1, 3] })],
    ['one minute a day', hours('Asia/Tokyo', { opensAt: '23:58', closesAt: '23:59' })],
  ])('accepts %s', (_what, calendar) => {
    expect(calendarProblems(calendar)).toEqual([]);
  });

  it.each(['Mars/Olympus', 'Europe/Berlinn', '', 'not a zone'])('rejects time zone %p', (timeZone) => {
    expect(fields(hours(timeZone))).toEqual(['timeZone']);
  });

  it.each([[[]], [[0]], [[8]], [[-1]], [[1, 2.5]], [[1, 7, 8]], [[Number.NaN]]])('rejects working days %p', (workingDays) => {
    expect(fields(hours('Europe/Berlin', { workingDays }))).toEqual(['workingDays']);
  });

  it.each(['9:00', '09:0', '24:00', '09:60', '25:00', 'nine', '09:00:00', '09h00', ' 09:00', ''])('rejects opensAt %p', (opensAt) => {
    expect(fields(hours('Europe/Berlin', { opensAt }))).toEqual(['opensAt']);
  });

  it.each(['17', '24:01', '25:00', '17:60', '5pm', '17:00 ', ''])('rejects closesAt %p', (closesAt) => {
    expect(fields(hours('Europe/Berlin', { closesAt }))).toEqual(['closesAt']);
  });

  it.each([
    ['09:00', '09:00'],
    ['17:00', '09:00'],
    ['09:01', '09:00'],
  ])('rejects opensAt %s with closesAt %s (closing not after opening)', (opensAt, closesAt) => {
    expect(calendarProblems(hours('Europe/Berlin', { opensAt, closesAt }))).toEqual([
      { field: 'closesAt', message: 'closesAt must be after opensAt.' },
    ]);
  });

  it('does not compare the times when one of them is bad', () => {
    expect(fields(hours('Europe/Berlin', { opensAt: '99:00', closesAt: '08:00' }))).toEqual(['opensAt']);
  });

  it('reports every problem, in field order, each message naming its field', () => {
    const problems = calendarProblems({ timeZone: 'Nowhere/Else', workingDays: [], opensAt: 'x', closesAt: 'y', alwaysOpen: false });
    expect(problems.map((problem) => problem.field)).toEqual(['timeZone', 'workingDays', 'opensAt', 'closesAt']);
    for (const { field, message } of problems) expect(message.startsWith(`${field} `)).toBe(true);
  });

  it('checks the hours of an always-open calendar too (they apply again once it is switched off)', () => {
    expect(fields({ timeZone: 'Nowhere/Else', workingDays: [9], opensAt: '09:00', closesAt: '08:00', alwaysOpen: true })).toEqual([
      'timeZone',
      'workingDays',
      'closesAt',
    ]);
  });
});

describe('bad input', () => {
  const broken = hours('Nowhere/Else');

  it('refuses an invalid calendar', () => {
    expect(() => addBusinessSeconds(at('2026-01-06T10:00Z'), 60, broken)).toThrow(RangeError);
    expect(() => businessSecondsBetween(at('2026-01-06T10:00Z'), at('2026-01-06T11:00Z'), broken)).toThrow(RangeError);
    expect(() => addBusinessSeconds(at('2026-01-06T10:00Z'), 60, hours('Europe/Berlin', { workingDays: [] }))).toThrow(RangeError);
  });

  it('ignores the hours of an always-open calendar when counting', () => {
    const open = { ...broken, workingDays: [], alwaysOpen: true };
    expect(addBusinessSeconds(at('2026-01-06T10:00Z'), 60, open).toISOString()).toBe('2026-01-06T10:01:00.000Z');
    expect(businessSecondsBetween(at('2026-01-06T10:00Z'), at('2026-01-06T11:00Z'), open)).toBe(HOUR);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p seconds', (seconds) => {
    expect(() => addBusinessSeconds(at('2026-01-06T10:00Z'), seconds, BERLIN)).toThrow(RangeError);
    expect(() => addBusinessSeconds(at('2026-01-06T10:00Z'), seconds, ALWAYS_OPEN)).toThrow(RangeError);
  });

  it('refuses invalid dates', () => {
    expect(() => addBusinessSeconds(new Date(Number.NaN), 0, BERLIN)).toThrow(RangeError);
    expect(() => businessSecondsBetween(new Date(Number.NaN), at('2026-01-06T10:00Z'), BERLIN)).toThrow(RangeError);
    expect(() => businessSecondsBetween(at('2026-01-06T10:00Z'), new Date(Number.NaN), ALWAYS_OPEN)).toThrow(RangeError);
  });
});

describe('ALWAYS_OPEN', () => {
  it('is 24/7 in UTC and cannot be changed by accident', () => {
    expect(ALWAYS_OPEN).toEqual({ timeZone: 'UTC', workingDays: [1, 2, 3, 4, 5, 6, 7], opensAt: '00:00', closesAt: '24:00', alwaysOpen: true });
    expect(Object.isFrozen(ALWAYS_OPEN)).toBe(true);
    expect(Object.isFrozen(ALWAYS_OPEN.workingDays)).toBe(true);
  });
});
