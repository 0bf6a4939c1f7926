import type { ChangeNotices } from '../../../db/change-notices';
import { NotifiedCache } from '../../../shared/notified-cache';
import type { Actor } from './actor';
import type { ApiScope } from './api-scope.enum';

/** How many sessions and keys each instance keeps: the least recently used go first. */
const MAX_ENTRIES = 20_000;

/** What a live session was read to grant: its account as an actor. */
export interface SessionGrant {
  actor: Extract<Actor, { kind: 'user' | 'contact' }>;
  sessionId: string;
  principals: string[];
}

/** What a live API key was read to be; which of its secrets is accepted is decided per request. */
export interface KeyGrant {
  id: string;
  name: string;
  scopes: readonly ApiScope[];
  keyHash: string;
  previousKeyHash: string | null;
  previousKeyExpiresAt: number | null;
  /** When `lastUsedAt` was last written (ms since the epoch): it is written at most once a minute. */
  lastUsedAt: number | null;
}

/**
 * Live sessions (by session id) and API keys (by the digest of the secret presented), so a request
 * proves its credentials without reading a table. An entry is dropped by the change notices of its rows
 * (the session, the account, the key: sent by triggers in the transaction that revokes, deactivates,
 * changes a role or rotates, heard by every instance), and a hit waits until the notices committed
 * before it have been heard (ChangeNotices.caughtUp: one empty round trip, shared by concurrent
 * requests). See docs/architecture.md, "Cached reads and their invalidation".
 */
export class CredentialCache {
  readonly sessions: NotifiedCache<SessionGrant>;
  readonly keys: NotifiedCache<KeyGrant>;

  constructor(notices: ChangeNotices) {
    // Fenced: a credential revoked on any instance before a request arrived is refused, never served from here.
    this.sessions = new NotifiedCache(notices, MAX_ENTRIES, true);
    this.keys = new NotifiedCache(notices, MAX_ENTRIES, true);
  }
}
