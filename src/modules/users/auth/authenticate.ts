import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated } from '../../../shared/errors';
import type { Cached } from '../../../shared/notified-cache';
import { ANONYMOUS, type Actor } from './actor';
import { ApiKey } from './api-key.entity';
import { hashApiKey, looksLikeApiKey } from './api-key-secret';
import type { CredentialCache, KeyGrant, SessionGrant } from './credential-cache';
import { principal } from './revocations';
import { Session } from './session.entity';
import type { SessionSubject, TokenService } from './tokens';

/** How often `lastUsedAt` of an API key is written: at most once a minute, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Turns an `Authorization` value into an actor. No header means anonymous; a header that does not
 * name a live session of an active user or contact, or a live key, is refused (UNAUTHENTICATED),
 * never downgraded. What a credential grants is read from the database once and then served from
 * the credential cache until a change notice drops it (credential-cache.ts).
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

export interface AuthenticationDeps {
  tokens: TokenService;
  credentials: CredentialCache;
}

/** `fork` gives an ORM fork for the reads a credential missing from the cache needs: a cached one needs none. */
export async function authenticate(fork: () => EntityManager, deps: AuthenticationDeps, authorization: string | undefined): Promise<Authentication> {
  if (!authorization || authorization.trim() === '') return { actor: ANONYMOUS, principals: [] };
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
  const token = match[1];
  return looksLikeApiKey(token) ? authenticateKey(fork, deps.credentials, token) : authenticateSession(fork, deps, token);
}

async function authenticateKey(fork: () => EntityManager, credentials: CredentialCache, token: string): Promise<Authentication> {
  const hash = hashApiKey(token);
  const now = Date.now();
  const key = await credentials.keys.get(hash, () => readKey(fork(), hash, now));
  // A cached key still checks the grace period of a rotated-out secret against the clock.
  const current = key?.keyHash === hash;
  if (!key || (!current && !(key.previousKeyHash === hash && key.previousKeyExpiresAt! > now))) {
    throw unauthenticated('Unknown or revoked API key.');
  }
  if (!key.lastUsedAt || now - key.lastUsedAt > LAST_USED_RESOLUTION_MS) {
    // Marked first, so the requests that arrive meanwhile do not write it too.
    key.lastUsedAt = now;
    await fork().nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: new Date(now) });
  }
  return {
    actor: { kind: 'apiKey', id: key.id, name: key.name, scopes: key.scopes },
    expiresAt: current ? undefined : key.previousKeyExpiresAt!,
    principals: [principal.apiKey(key.id), principal.apiKeySecret(hash)],
  };
}

async function readKey(em: EntityManager, hash: string, now: number): Promise<Cached<KeyGrant> | null> {
  const key = await em.findOne(ApiKey, {
    revokedAt: null,
    $or: [{ keyHash: hash }, { previousKeyHash: hash, previousKeyExpiresAt: { $gt: new Date(now) } }],
  });
  if (!key) return null;
  const { id, name, scopes, keyHash, previousKeyHash } = key;
  return {
    value: { id, name, scopes, keyHash, previousKeyHash, previousKeyExpiresAt: key.previousKeyExpiresAt?.getTime() ?? null, lastUsedAt: key.lastUsedAt?.getTime() ?? null },
    droppedBy: [principal.apiKey(id), principal.apiKeySecret(hash)],
  };
}

async function authenticateSession(fork: () => EntityManager, { tokens, credentials }: AuthenticationDeps, token: string): Promise<Authentication> {
  const subject = await tokens.verify(token);
  const grant = subject ? await credentials.sessions.get(subject.sessionId, () => readSession(fork(), subject)) : null;
  // The token's own claims must match the session's account (a cached grant is checked as a read one).
  if (!subject || !grant || grant.actor.kind !== subject.kind || grant.actor.id !== subject.id) {
    throw unauthenticated('The session token is invalid, has expired or was ended; log in again.');
  }
  return { actor: grant.actor, expiresAt: subject.expiresAt, sessionId: grant.sessionId, principals: grant.principals };
}

/** One statement: the session row joined with its user or contact; null unless both are live. */
async function readSession(em: EntityManager, subject: SessionSubject): Promise<Cached<SessionGrant> | null> {
  const session = await em.findOne(Session, { id: subject.sessionId, revokedAt: null }, { populate: ['user', 'contact'], strategy: 'joined' });
  const user = subject.kind === 'user' ? session?.user : null;
  const contact = subject.kind === 'contact' ? session?.contact : null;
  const account = user ?? contact;
  if (!session || !account || account.deactivatedAt || !account.passwordHash) return null;
  const actor: SessionGrant['actor'] = user
    ? { kind: 'user', id: user.id, role: user.role, name: user.name, email: user.email }
    : { kind: 'contact', id: contact!.id, businessId: contact!.business.id, name: contact!.name, email: contact!.email };
  const principals = [principal.session(session.id), principal.account(subject.kind, account.id)];
  return { value: { actor, sessionId: session.id, principals }, droppedBy: principals };
}
