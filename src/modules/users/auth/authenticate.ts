import type { EntityManager } from '@mikro-orm/postgresql';
import { unauthenticated } from '../../../shared/errors';
import { Contact } from '../../businesses/contact.entity';
import { User } from '../user.entity';
import { ANONYMOUS, type Actor } from './actor';
import { ApiKey } from './api-key.entity';
import { hashApiKey, looksLikeApiKey } from './api-key-secret';
import type { TokenService } from './tokens';

/** How often `lastUsedAt` of an API key is written: at most once a minute, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Turns an `Authorization` value into an actor. No header means anonymous; a header that does not
 * name a live session, user, contact or key is refused (UNAUTHENTICATED), never downgraded.
 */
export interface Authentication {
  actor: Actor;
  /** When the session token runs out (ms since the epoch); API keys and anonymous requests have none. */
  expiresAt?: number;
}

export async function authenticate(em: EntityManager, tokens: TokenService, authorization: string | undefined): Promise<Authentication> {
  if (!authorization || authorization.trim() === '') return { actor: ANONYMOUS };
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
  const token = match[1];

  if (looksLikeApiKey(token)) {
    const key = await em.findOne(ApiKey, { keyHash: hashApiKey(token), revokedAt: null });
    if (!key) throw unauthenticated('Unknown or revoked API key.');
    const now = Date.now();
    if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await em.nativeUpdate(ApiKey, { id: key.id }, { lastUsedAt: new Date(now) });
    }
    return { actor: { kind: 'apiKey', id: key.id, name: key.name, scopes: key.scopes } };
  }

  const subject = await tokens.verify(token);
  if (subject?.kind === 'user') {
    const user = await em.findOne(User, { id: subject.id });
    if (user) return { actor: { kind: 'user', id: user.id, role: user.role, name: user.name, email: user.email }, expiresAt: subject.expiresAt };
  }
  if (subject?.kind === 'contact') {
    const contact = await em.findOne(Contact, { id: subject.id, passwordHash: { $ne: null } });
    if (contact) {
      return {
        actor: { kind: 'contact', id: contact.id, businessId: contact.business.id, name: contact.name, email: contact.email },
        expiresAt: subject.expiresAt,
      };
    }
  }
  throw unauthenticated('The session token is invalid or has expired; log in again.');
}
