import type { ResolverData } from 'type-graphql';
import { badInput } from './errors';

/**
 * The dates an argument may hold: the years 1 to 9999 in UTC. DateTime text has four-digit years, but
 * an offset can push "0001-01-01T00:00:00+01:00" into year 0 or "9999-12-31T23:59:59-05:00" into
 * year 10000, which PostgreSQL's driver and the DateTime output do not carry as written.
 */
export const EARLIEST_DATE = new Date('0001-01-01T00:00:00.000Z');
export const LATEST_DATE = new Date('9999-12-31T23:59:59.999Z');

function refuse(value: unknown, field: string): void {
  if (typeof value === 'string') {
    // PostgreSQL text cannot hold NUL: refuse it here rather than fail in the database.
    if (value.includes('\u0000')) throw badInput(`${field} must not contain NUL characters.`, field);
  } else if (value instanceof Date) {
    if (!(value >= EARLIEST_DATE && value <= LATEST_DATE)) {
      throw badInput(`${field} must be a date from 0001-01-01 to 9999-12-31 (UTC).`, field);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) refuse(item, field);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) refuse(item, `${field}.${key}`);
  }
}

/** The argument objects already checked: type-graphql asks once per parameter, one walk is enough. */
const checked = new WeakSet<object>();

/**
 * type-graphql's `validateFn`, run before every resolver that takes arguments (queries, mutations,
 * fields with arguments): refuses NUL characters in any string and dates outside EARLIEST_DATE ..
 * LATEST_DATE, at any depth, as BAD_USER_INPUT naming the field the way services do (`title` inside a
 * mutation's `input`, `filter.createdBefore` elsewhere).
 */
export function refuseUnstorableArgs(_value: unknown, _type: unknown, { args }: ResolverData): void {
  if (checked.has(args)) return;
  checked.add(args);
  for (const [name, value] of Object.entries(args)) {
    if (name === 'input' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, item] of Object.entries(value)) refuse(item, key);
    } else {
      refuse(value, name);
    }
  }
}
