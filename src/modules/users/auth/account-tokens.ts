import { createHash, randomBytes } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError } from '../../../shared/errors';
import { Contact } from '../../businesses/contact.entity';
import { User } from '../user.entity';
import { AccountToken, type TokenPurpose } from './account-token.entity';
import type { Account } from './sessions';

/** 32 random bytes, base64url: 43 characters. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Why a token was refused, in `extensions.reason` of a BAD_USER_INPUT on `token`. */
export type TokenRefusal = 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'TOKEN_USED';

const MESSAGES: Record<TokenRefusal, string> = {
  TOKEN_INVALID: 'token is not a valid link; ask for a new one.',
  TOKEN_EXPIRED: 'token has expired; ask for a new one.',
  TOKEN_USED: 'token was already used (or replaced by a newer one); ask for a new one.',
};

export function tokenRefused(reason: TokenRefusal): AppError {
  return new AppError('BAD_USER_INPUT', MESSAGES[reason], { field: 'token', reason });
}

/**
 * Makes a token for `account`, in the caller's transaction; earlier unused tokens of the same purpose
 * for the account stop working (only the latest mail's link works). Answers the token itself, which
 * is never stored: it goes into the mail only (see OutboundMail.sensitive).
 */
export async function issueToken(
  em: EntityManager,
  purpose: TokenPurpose,
  account: Account,
  ttlSeconds: number,
  now = new Date(),
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const owner = account instanceof User ? { user: account.id } : { contact: account.id };
  await em.nativeUpdate(AccountToken, { purpose, ...owner, usedAt: null }, { usedAt: now });
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  const row = em.create(AccountToken, {
    purpose,
    user: account instanceof User ? account : null,
    contact: account instanceof Contact ? account : null,
    tokenHash: tokenHash(token),
    expiresAt,
  });
  return { id: row.id, token, expiresAt };
}

/**
 * The token row `token` names, for `purpose`, still usable at `now`, with its account; refused with a
 * stable reason otherwise. With `lock`, the row is locked, so of two uses at once one wins and the
 * other finds it used.
 */
export async function usableToken(em: EntityManager, purpose: TokenPurpose, token: string, now: Date, lock = false): Promise<{ row: AccountToken; account: Account }> {
  if (typeof token !== 'string' || !TOKEN.test(token)) throw tokenRefused('TOKEN_INVALID');
  const row = await em.findOne(AccountToken, { tokenHash: tokenHash(token), purpose }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  if (!row) throw tokenRefused('TOKEN_INVALID');
  if (row.usedAt) throw tokenRefused('TOKEN_USED');
  if (row.expiresAt <= now) throw tokenRefused('TOKEN_EXPIRED');
  const account: Account | null = row.user ? await em.findOne(User, { id: row.user.id }) : await em.findOne(Contact, { id: row.contact!.id });
  // A deactivated login gets nothing from an old mail.
  if (!account || account.deactivatedAt) throw tokenRefused('TOKEN_INVALID');
  return { row, account };
}
