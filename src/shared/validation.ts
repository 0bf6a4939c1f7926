import { badInput } from './errors';
import { fromGlobalId } from './global-id';

/** Input checks shared by every service; each failure names the input field at fault. */

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export const LIMITS = {
  name: 200,
  title: 200,
  body: 20_000,
  email: 320,
  phone: 50,
  domain: 253,
  tag: 50,
  tagsPerTicket: 20,
  reason: 2_000,
  search: 200,
  /** Keys chosen by integrations: alert keys, idempotency keys. */
  key: 200,
} as const;

/** A required text: trimmed, not empty, at most `max` characters. */
export function text(value: string, field: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw badInput(`${field} must not be empty.`, field);
  if (trimmed.length > max) throw badInput(`${field} must be at most ${max} characters.`, field);
  // PostgreSQL text cannot hold NUL; refuse it here rather than fail in the database.
  if (trimmed.includes('\u0000')) throw badInput(`${field} must not contain NUL characters.`, field);
  return trimmed;
}

/** An optional text: null when missing or blank, otherwise as `text`. */
export function optionalText(value: string | null | undefined, field: string, max: number): string | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  return text(value, field, max);
}

/** An email address, lower-cased. */
export function email(value: string, field: string): string {
  const address = text(value, field, LIMITS.email).toLowerCase();
  if (!EMAIL.test(address)) throw badInput(`${field} is not a valid email address.`, field);
  return address;
}

export function optionalEmail(value: string | null | undefined, field: string): string | null {
  return value === null || value === undefined || value.trim() === '' ? null : email(value, field);
}

/** A domain name such as example.com, lower-cased, without scheme or path. */
export function optionalDomain(value: string | null | undefined, field: string): string | null {
  const domain = optionalText(value, field, LIMITS.domain)?.toLowerCase() ?? null;
  if (domain !== null && !/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domain)) {
    throw badInput(`${field} must be a domain name such as example.com.`, field);
  }
  return domain;
}

/**
 * How far ahead a ticket's due date may lie. SLA clocks count business time up to it day by day, so a
 * due date in year 9999 would hold the server for a minute on every read of the ticket's `sla`.
 */
const DUE_DATE_HORIZON_MS = 10 * 366 * 24 * 3600 * 1000;

/** A ticket's due date: not before the ticket was created, at most 10 years from now. */
export function dueDate(value: Date, field: string, createdAt: Date): Date {
  if (Number.isNaN(value.getTime())) throw badInput(`${field} is not a valid date.`, field);
  if (value < createdAt) throw badInput(`${field} is before the ticket was created.`, field);
  if (value.getTime() > Date.now() + DUE_DATE_HORIZON_MS) throw badInput(`${field} must be at most 10 years from now.`, field);
  return value;
}

/** The key behind a global id of the expected type; anything else is a bad input on `field`. */
export function idOf(globalId: string, type: string, field: string): string {
  const decoded = fromGlobalId(globalId);
  if (!decoded || decoded.type !== type) throw badInput(`${field} is not a ${type} id.`, field);
  return decoded.id;
}

export function optionalIdOf(globalId: string | null | undefined, type: string, field: string): string | null {
  return globalId === null || globalId === undefined ? null : idOf(globalId, type, field);
}
