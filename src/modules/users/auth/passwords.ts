import { hash, verify } from '@node-rs/argon2';
import { MIN_PASSWORD_LENGTH } from '../../../config';
import { badInput } from '../../../shared/errors';

/** Longest password accepted: hashing cost grows with length, so an unbounded one is a denial-of-service lever. */
const MAX_PASSWORD_LENGTH = 200;

export function checkedPassword(password: string, field: string): string {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw badInput(`${field} must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`, field);
  }
  return password;
}

/** Argon2id with the library's defaults (19 MiB, 2 passes): the OWASP baseline. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash of a password nobody has, verified when the email is unknown so that a failed login takes
 * as long for an unknown email as for a wrong password (no account enumeration by timing).
 */
export const UNKNOWN_ACCOUNT_HASH = hash('no account has this password');
