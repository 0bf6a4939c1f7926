import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated } from '../../../shared/errors';
import { ANONYMOUS, type Actor } from './actor';
import { ApiKey } from './api-key.entity';
import { hashApiKey, looksLikeApiKey } from './api-key-secret';
import { principal } from './revocations';
import { Session } from './session.entity';
import type { TokenService } from './tokens';

/** How often `lastUsedAt` of an API key is written: at most once a minute, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Turns an `Authorization` value into an actor. No header means anonymous; a header that does not
 * name a live session of an active user or contact, or a live key, is refused (UNAUTHENTICATED),
 * never downgraded.
 */
export interface Authentication {
  actor: Actor;
  /** When the token or a rotated-out key secret runs out (ms since the epoch); unset when it does not. */
  expiresAt?: number;
  /** The session of a session token: what `logout` ends. */
  sessionId?: string;
  /** What this access is held through (see `principal`): a connection closes when one is revoked. */
  principals: string[];
}

export async function authenticate(em: EntityManager, tokens: TokenService, authorization: string | undefined): Promise<Authentication> {
  if (!authorization || authorization.trim() === '') return { actor: ANONYMOUS, principals: [] };
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
  const token = match[1];
  return looksLikeApiKey(token) ? authenticateKey(em, token) : authenticateSession(em, tokens, token);
}

async function authenticateKey(em: EntityManager, token: string): Promise<Authentication> {
  const hash = hashApiKey(token);
  const now = Date.now();
  const key = await em.findOne(ApiKey, {
    revokedAt: null,
    $or: [{ keyHash: hash }, { previousKeyHash: hash, previousKeyExpiresAt: { $gt: new Date(now) } }],
  });
  if (!key) throw unauthenticated('Unknown or revoked API key.');
  if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: new Date(now) });
  }
  return {
    actor: { kind: 'apiKey', id: key.id, name: key.name, scopes: key.scopes },
    expiresAt: key.keyHash === hash ? undefined : key.previousKeyExpiresAt!.getTime(),
    principals: [principal.apiKey(key.id), principal.apiKeySecret(hash)],
  };
}

/** One statement: the session row joined with its user or contact. */
async function authenticateSession(em: EntityManager, tokens: TokenService, token: string): Promise<Authentication> {
  const subject = await tokens.verify(token);
  const session = subject
    ? await em.findOne(Session, { id: subject.sessionId, revokedAt: null }, { populate: ['user', 'contact'], strategy: 'joined' })
    : null;
  const user = subject?.kind === 'user' ? session?.user : null;
  const contact = subject?.kind === 'contact' ? session?.contact : null;
  const account = user ?? contact;
  if (!subject || !session || !account || account.id !== subject.id || account.deactivatedAt || !account.passwordHash) {
    throw unauthenticated('The session token is invalid, has expired or was ended; log in again.');
  }
  const principals = [principal.session(session.id), principal.account(subject.kind, account.id)];
  const actor: Actor = user
    ? { kind: 'user', id: user.id, role: user.role, name: user.name, email: user.email }
    : { kind: 'contact', id: contact!.id, businessId: contact!.business.id, name: contact!.name, email: contact!.email };
  return { actor, expiresAt: subject.expiresAt, sessionId: session.id, principals };
}
