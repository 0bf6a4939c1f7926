import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import Redis from 'ioredis';
import type { Logger } from 'pino';

/**
 * What a connection holds its access through, as strings: `session:<id>`, `user:<id>`,
 * `contact:<id>`, `apiKey:<id>`, `apiKeySecret:<sha-256>`. A revocation names some of them.
 */
export const principal = {
  session: (id: string) => `session:${id}`,
  account: (kind: 'user' | 'contact', id: string) => `${kind}:${id}`,
  apiKey: (id: string) => `apiKey:${id}`,
  apiKeySecret: (hash: string) => `apiKeySecret:${hash}`,
};

/** Access that ended: connections holding any of `principals` close, at `at` (ms since the epoch) or at once. */
export interface Revocation {
  principals: string[];
  at?: number;
}

const CHANNEL = 'ticketgraph:access-revoked';

/**
 * Tells every instance that access ended, so each closes its own WebSocket connections that hold
 * it (new requests are refused by the database already). In-process without Redis; with Redis, a
 * message on a channel every instance listens to. The publishing instance acts at once without
 * waiting for Redis, and ignores its own message when it comes back.
 */
export class RevocationBus {
  private readonly local = new EventEmitter();
  private readonly origin = randomUUID();
  private readonly publisher?: Redis;
  private readonly subscriber?: Redis;

  constructor(
    redisUrl: string | undefined,
    private readonly logger: Logger,
  ) {
    this.local.setMaxListeners(0);
    if (!redisUrl) return;
    this.publisher = new Redis(redisUrl);
    this.subscriber = new Redis(redisUrl);
    for (const client of [this.publisher, this.subscriber]) {
      client.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection problem (access revocations)'));
    }
    void this.subscriber.subscribe(CHANNEL);
    this.subscriber.on('message', (_channel: string, raw: string) => {
      try {
        const { origin, ...revocation } = JSON.parse(raw) as Revocation & { origin: string };
        if (origin !== this.origin) this.local.emit('revoked', revocation);
      } catch (error) {
        logger.error({ err: error }, 'unreadable access revocation from redis');
      }
    });
  }

  publish(revocation: Revocation): void {
    if (revocation.principals.length === 0) return;
    this.local.emit('revoked', revocation);
    this.publisher
      ?.publish(CHANNEL, JSON.stringify({ ...revocation, origin: this.origin }))
      .catch((error: Error) => this.logger.error({ err: error.message }, 'could not publish an access revocation'));
  }

  /** Calls `listener` for every revocation; answers the function that stops it. */
  listen(listener: (revocation: Revocation) => void): () => void {
    this.local.on('revoked', listener);
    return () => this.local.off('revoked', listener);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.subscriber?.quit(), this.publisher?.quit()]);
  }
}
