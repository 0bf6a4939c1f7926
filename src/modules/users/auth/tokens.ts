import { jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';

/** What a session token names: its session, and the staff user or customer contact it belongs to. */
export interface SessionSubject {
  kind: 'user' | 'contact';
  id: string;
  /** The session row (`sid` claim); a token is accepted only while that row is live. */
  sessionId: string;
  /** When the token expires (ms since the epoch); set on verified tokens. */
  expiresAt?: number;
}

const ISSUER = 'ticketgraph';
const ALGORITHM = 'HS256';
/** Verified tokens remembered per instance: about one per signed-in client. */
const VERIFIED_TOKENS = 10_000;

/** Signs and checks session tokens (HS256 JWTs) with the configured secret. */
export class TokenService {
  private readonly key: Uint8Array;
  /**
   * Tokens whose signature and claims were checked, by their exact text: a client sends the same token
   * with every request, and checking it (an HMAC and jose's parsing: 3 % of a small query's CPU) gives
   * the same answer each time but for expiry, which a hit checks against the clock. Whether its
   * session is still live is not remembered here: the credential cache decides that on every request.
   */
  private readonly verified = new LRUCache<string, SessionSubject & { expiresAt: number }>({ max: VERIFIED_TOKENS });

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(subject: SessionSubject): Promise<string> {
    return new SignJWT({ kind: subject.kind, sid: subject.sessionId })
      .setProtectedHeader({ alg: ALGORITHM })
      .setSubject(subject.id)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.key);
  }

  /** The subject of a valid, unexpired token that names a session; null for anything else. */
  async verify(token: string): Promise<SessionSubject | null> {
    const known = this.verified.get(token);
    if (known) {
      if (known.expiresAt > Date.now()) return { ...known };
      this.verified.delete(token);
      return null;
    }
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: [ALGORITHM] });
      const { kind, sid } = payload;
      if ((kind !== 'user' && kind !== 'contact') || typeof payload.sub !== 'string' || typeof sid !== 'string') return null;
      const subject: SessionSubject = { kind, id: payload.sub, sessionId: sid, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined };
      // Only tokens that expire are remembered (this service signs no others).
      if (subject.expiresAt !== undefined) this.verified.set(token, { ...subject, expiresAt: subject.expiresAt });
      return subject;
    } catch {
      return null;
    }
  }
}
