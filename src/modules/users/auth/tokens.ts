import { jwtVerify, SignJWT } from 'jose';

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

/** Signs and checks session tokens (HS256 JWTs) with the configured secret. */
export class TokenService {
  private readonly key: Uint8Array;

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
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, algorithms: [ALGORITHM] });
      const { kind, sid } = payload;
      if ((kind !== 'user' && kind !== 'contact') || typeof payload.sub !== 'string' || typeof sid !== 'string') return null;
      return { kind, id: payload.sub, sessionId: sid, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined };
    } catch {
      return null;
    }
  }
}
