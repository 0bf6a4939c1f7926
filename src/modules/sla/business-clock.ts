import { IANAZone } from 'luxon';

/**
 * Business time as pure functions of instants: nothing here reads the clock or the database.
 *
 * Business hours are local wall-clock hours: on each working day the calendar is open from the first
 * instant at which the local clock reads `opensAt` to the first instant at which it reads `closesAt`,
 * and what is counted between them is real elapsed time. So a 09:00–17:00 day is 8 h also on a DST
 * change day (the change happens at night), and a day whose hours contain the change counts its real
 * 23 or 25 hours. A local time skipped by spring-forward is reached when the clock jumps past it; a
 * local time repeated by fall-back is reached at its first occurrence.
 *
 * Internally everything is in milliseconds; `businessSecondsBetween` rounds down to whole seconds.
 */

/** A weekly business-hours calendar. alwaysOpen = 24/7 (the other fields are then ignored when counting). */
export interface BusinessCalendar {
  /** IANA, e.g. 'Europe/Berlin'. */
  timeZone: string;
  /** ISO weekdays 1 = Monday … 7 = Sunday. */
  workingDays: number[];
  /** 'HH:MM' local time, e.g. '09:00'. */
  opensAt: string;
  /** 'HH:MM' local time, after opensAt (no overnight shifts); '24:00' closes at the end of the day. */
  closesAt: string;
  alwaysOpen: boolean;
}

/** Around the clock, counting real elapsed time. Frozen: it is shared by every 24/7 policy. */
export const ALWAYS_OPEN: BusinessCalendar = Object.freeze({
  timeZone: 'UTC',
  workingDays: Object.freeze([1, 2, 3, 4, 5, 6, 7]) as number[],
  opensAt: '00:00',
  closesAt: '24:00',
  alwaysOpen: true,
});

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** 00:00 to 23:59; a closing time may also be 24:00, the end of the day. */
const HH_MM = /^(?:[01]\d|2[0-3]):[0-5]\d$/;

function isTime(value: unknown, endOfDayAllowed: boolean): value is string {
  return typeof value === 'string' && (HH_MM.test(value) || (endOfDayAllowed && value === '24:00'));
}

/** Milliseconds after local midnight of a checked 'HH:MM'. */
function msOfDay(time: string): number {
  return Number(time.slice(0, 2)) * HOUR + Number(time.slice(3, 5)) * MINUTE;
}

/**
 * Validates a calendar; returns a list of problems as { field, message } (empty when valid): unknown
 * time zone, empty or out-of-range workingDays, bad HH:MM, closesAt not after opensAt. Every field is
 * checked even when alwaysOpen, as the hours are kept and apply again once alwaysOpen is switched off.
 */
export function calendarProblems(calendar: BusinessCalendar): { field: string; message: string }[] {
  const problems: { field: string; message: string }[] = [];
  const { timeZone, workingDays, opensAt, closesAt } = calendar;
  if (typeof timeZone !== 'string' || !IANAZone.isValidZone(timeZone)) {
    problems.push({ field: 'timeZone', message: 'timeZone must be an IANA time zone such as Europe/Berlin.' });
  }
  if (!Array.isArray(workingDays) || workingDays.length === 0) {
    problems.push({ field: 'workingDays', message: 'workingDays must name at least one day.' });
  } else if (!workingDays.every((day) => Number.isInteger(day) && day >= 1 && day <= 7)) {
    problems.push({ field: 'workingDays', message: 'workingDays must be ISO weekdays, 1 (Monday) to 7 (Sunday).' });
  }
  if (!isTime(opensAt, false)) {
    problems.push({ field: 'opensAt', message: 'opensAt must be a time HH:MM from 00:00 to 23:59.' });
  }
  if (!isTime(closesAt, true)) {
    problems.push({ field: 'closesAt', message: 'closesAt must be a time HH:MM from 00:01 to 24:00.' });
  } else if (isTime(opensAt, false) && msOfDay(closesAt) <= msOfDay(opensAt)) {
    problems.push({ field: 'closesAt', message: 'closesAt must be after opensAt.' });
  }
  return problems;
}

/** A checked calendar of business hours, ready for counting. */
interface Hours {
  zone: IANAZone;
  /** Indexed by ISO weekday. */
  working: boolean[];
  opens: number;
  closes: number;
}

/** The calendar ready for counting, or null when it is always open; a RangeError if it is invalid. */
function compile(calendar: BusinessCalendar): Hours | null {
  if (calendar.alwaysOpen) return null;
  const [problem] = calendarProblems(calendar);
  if (problem) throw new RangeError(`Invalid business calendar: ${problem.message}`);
  const working = Array.from({ length: 8 }, (_, day) => calendar.workingDays.includes(day));
  return { zone: IANAZone.create(calendar.timeZone), working, opens: msOfDay(calendar.opensAt), closes: msOfDay(calendar.closesAt) };
}

function checkedInstant(value: Date, name: string): number {
  const ms = value instanceof Date ? value.getTime() : NaN;
  if (Number.isNaN(ms)) throw new RangeError(`${name} must be a valid Date.`);
  return ms;
}

/** The zone's UTC offset at an instant, in milliseconds. */
function offsetAt(zone: IANAZone, instant: number): number {
  return Math.round(zone.offset(instant) * MINUTE);
}

/** The local date of an instant, as the UTC midnight of that calendar date (so dates step by DAY). */
function localDate(zone: IANAZone, instant: number): number {
  const wall = instant + offsetAt(zone, instant);
  return wall - (((wall % DAY) + DAY) % DAY);
}

/**
 * The first instant at which the local clock reads `wall` (a local date and time written as if it were
 * UTC) or later: the instant itself when the time exists, its first occurrence when fall-back repeats
 * it, the moment the clock jumps past it when spring-forward skips it. Assumes at most one offset
 * change within a day of `wall`, as in every zone in use.
 */
function firstInstantAt(zone: IANAZone, wall: number): number {
  const before = offsetAt(zone, wall - DAY);
  const after = offsetAt(zone, wall + DAY);
  if (before === after && offsetAt(zone, wall - before) === before) return wall - before;
  let first = Infinity;
  for (const offset of [before, after, offsetAt(zone, wall - before), offsetAt(zone, wall - after)]) {
    const instant = wall - offset;
    if (offsetAt(zone, instant) === offset && instant < first) first = instant;
  }
  if (first !== Infinity) return first;
  // Skipped: search the jump. UTC offsets lie within -12 h … +14 h, so the clock reads earlier than
  // `wall` at wall - 15 h and later at wall + 13 h.
  let low = wall - 15 * HOUR;
  let high = wall + 13 * HOUR;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (middle + offsetAt(zone, middle) >= wall) high = middle;
    else low = middle;
  }
  return high;
}

/**
 * The business hours of the local dates from `firstDate` on, as [opening, closing) instants, skipping
 * closed days. When the UTC offset is the same 14 h before the date's local midnight and three days
 * later (probes shared by four dates), the date's hours are plain arithmetic; only around an offset
 * change does `firstInstantAt` search. So a long span costs one zone lookup a day.
 */
function* businessDays(hours: Hours, firstDate: number): Generator<[number, number], never> {
  const { zone, working, opens, closes } = hours;
  const probe = (date: number): number => offsetAt(zone, date - 14 * HOUR);
  const probes = [0, 1, 2, 3].map((days) => probe(firstDate + days * DAY));
  for (let date = firstDate; ; date += DAY) {
    if (working[new Date(date).getUTCDay() || 7]) {
      const steady = probes[0] === probes[3];
      const opening = steady ? date + opens - probes[0] : firstInstantAt(zone, date + opens);
      const closing = steady ? date + closes - probes[0] : firstInstantAt(zone, date + closes);
      // Empty only when both times fall into the hour skipped by spring-forward.
      if (closing > opening) yield [opening, closing];
    }
    probes.shift();
    probes.push(probe(date + 4 * DAY));
  }
}

/**
 * The instant at which `seconds` of business time have elapsed after `start` (start itself may be
 * outside business hours: counting begins at the next opening). seconds = 0 returns start if inside
 * business hours, else the next opening. Business hours are [opening, closing): an amount that ends
 * exactly at closing returns the closing instant, a start at closing counts from the next opening.
 * Fractional seconds are rounded to the millisecond.
 */
export function addBusinessSeconds(start: Date, seconds: number, calendar: BusinessCalendar): Date {
  const from = checkedInstant(start, 'start');
  if (!Number.isFinite(seconds) || seconds < 0) throw new RangeError('seconds must be a finite number >= 0.');
  let remaining = Math.round(seconds * SECOND);
  const hours = compile(calendar);
  if (!hours) return new Date(from + remaining);
  // From the day before: the hours of the previous local date can still be open (fall-back at midnight).
  for (const [opening, closing] of businessDays(hours, localDate(hours.zone, from) - DAY)) {
    if (closing <= from) continue;
    const begin = Math.max(opening, from);
    if (remaining <= closing - begin) return new Date(begin + remaining);
    remaining -= closing - begin;
  }
  throw new Error('unreachable: business days never run out');
}

/** Business seconds between two instants (0 when to <= from), rounded down to whole seconds. */
export function businessSecondsBetween(from: Date, to: Date, calendar: BusinessCalendar): number {
  const start = checkedInstant(from, 'from');
  const end = checkedInstant(to, 'to');
  const hours = compile(calendar);
  if (end <= start) return 0;
  if (!hours) return Math.floor((end - start) / SECOND);
  let total = 0;
  for (const [opening, closing] of businessDays(hours, localDate(hours.zone, start) - DAY)) {
    if (opening >= end) break;
    const overlap = Math.min(closing, end) - Math.max(opening, start);
    if (overlap > 0) total += overlap;
  }
  return Math.floor(total / SECOND);
}
