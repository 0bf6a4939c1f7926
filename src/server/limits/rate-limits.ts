import type Redis from 'ioredis';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../../config';
import type { Actor } from '../../modules/users/auth/actor';
import { AppError } from '../../shared/errors';
import { createLimiter } from '../../shared/rate-limiter';

/** The answer to one charge: the headers to send (every answer has them) and, over the limit, the refusal. */
export interface RateLimitOutcome {
  headers: [string, string][];
  refusal?: AppError;
}

/** Whose budget a request uses: the API key, the staff member or the contact; anonymous callers share their address's. */
function budgetOf(actor: Actor, address: string): { key: string; anonymous: boolean } {
  switch (actor.kind) {
    case 'apiKey':
      return { key: `key:${actor.id}`, anonymous: false };
    case 'user':
      return { key: `user:${actor.id}`, anonymous: false };
    case 'contact':
      return { key: `contact:${actor.id}`, anonymous: false };
    default:
      return { key: `address:${address}`, anonymous: true };
  }
}

/**
 * GraphQL requests (HTTP) and subscribe messages (WebSocket) allowed per window, per API key, user
 * or contact, and per client address for anonymous callers (and for refused credentials). Shared
 * through Redis when there is one, so the budget holds across instances. Headers follow the
 * separate-field form of the IETF draft (draft-ietf-httpapi-ratelimit-headers-06).
 */
export class RequestRateLimits {
  private readonly authenticated: RateLimiterAbstract;
  private readonly anonymous: RateLimiterAbstract;

  constructor(
    private readonly config: Config['requestRateLimit'],
    redis?: Redis,
  ) {
    // While Redis is unreachable each instance counts by itself rather than refusing or letting everything through.
    const limiter = (keyPrefix: string, points: number) =>
      createLimiter({ keyPrefix, points, durationSeconds: config.windowSeconds, memoryWhileRedisIsDown: true }, redis);
    this.authenticated = limiter('graphql-actor', config.points);
    this.anonymous = limiter('graphql-address', config.anonymousPoints);
  }

  /** Takes one point from the actor's budget; `http` puts the 429 status and Retry-After on the refusal. */
  async charge(actor: Actor, address: string, http: boolean): Promise<RateLimitOutcome> {
    const budget = budgetOf(actor, address);
    const points = budget.anonymous ? this.config.anonymousPoints : this.config.points;
    let state: RateLimiterRes;
    let refused = false;
    try {
      state = await (budget.anonymous ? this.anonymous : this.authenticated).consume(budget.key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      state = rejection;
      refused = true;
    }
    const resetSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
    const headers: [string, string][] = [
      ['RateLimit-Limit', String(points)],
      ['RateLimit-Remaining', String(Math.max(0, points - state.consumedPoints))],
      ['RateLimit-Reset', String(resetSeconds)],
      ['RateLimit-Policy', `${points};w=${this.config.windowSeconds}`],
    ];
    if (!refused) return { headers };
    headers.push(['Retry-After', String(resetSeconds)]);
    const refusal = new AppError('RATE_LIMITED', `Too many requests; try again in ${resetSeconds} s.`, {
      retryAfterSeconds: resetSeconds,
      ...(http ? { http: { status: 429 } } : {}),
    });
    return { headers, refusal };
  }
}
