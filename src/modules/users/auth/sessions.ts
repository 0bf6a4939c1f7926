import type { EntityManager } from '@mikro-orm/postgresql';
import { Contact } from '../../businesses/contact.entity';
import { User } from '../user.entity';
import { Session } from './session.entity';
import type { TokenService } from './tokens';

/** A staff user or a customer contact: the two kinds of account that log in with a password. */
export type Account = User | Contact;

export function accountKind(account: Account): 'user' | 'contact' {
  return account instanceof User ? 'user' : 'contact';
}

/**
 * Opens a session for `account` and signs its token. The row is written by the caller's flush (in
 * the same transaction as the audit entry); the account's expired sessions are pruned here, so the
 * table holds about one row per live login.
 */
export async function openSession(em: EntityManager, tokens: TokenService, account: Account, clientAddress: string | null): Promise<string> {
  const kind = accountKind(account);
  await em.execute(`delete from auth_session where ${kind}_id = ? and expires_at < now()`, [account.id]);
  const session = em.create(Session, {
    [kind]: em.getReference(account instanceof User ? User : Contact, account.id),
    expiresAt: new Date(Date.now() + tokens.ttlSeconds * 1000),
    clientAddress: clientAddress?.slice(0, 100) ?? null,
  });
  return tokens.sign({ kind, id: account.id, sessionId: session.id });
}

/** Ends every live session of an account and answers their ids. */
export async function endSessions(em: EntityManager, kind: 'user' | 'contact', accountId: string): Promise<string[]> {
  const rows = await em.execute<{ id: string }[]>(
    `update auth_session set revoked_at = now() where ${kind}_id = ? and revoked_at is null and expires_at > now() returning id`,
    [accountId],
  );
  return rows.map((row) => row.id);
}

/** Ends one session; true when it was live. */
export async function endSession(em: EntityManager, sessionId: string): Promise<boolean> {
  const rows = await em.execute<{ id: string }[]>(
    'update auth_session set revoked_at = now() where id = ? and revoked_at is null returning id',
    [sessionId],
  );
  return rows.length > 0;
}
