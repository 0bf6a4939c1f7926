import type Redis from 'ioredis';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { consumeOrRefuse, createLimiter } from '../../shared/rate-limiter';

/**
 * Limits public submissions per client address: `points` per `windowSeconds`. Shared through Redis
 * when there is one (so the limit holds across instances), in memory otherwise.
 */
export function createSubmitLimiter(points: number, windowSeconds: number, redis?: Redis): RateLimiterAbstract {
  return createLimiter({ keyPrefix: 'submit-ticket', points, durationSeconds: windowSeconds }, redis);
}

/** Takes one point for `key`, or answers RATE_LIMITED (HTTP 429) with the seconds to wait. */
export function consume(limiter: RateLimiterAbstract, key: string): Promise<void> {
  return consumeOrRefuse(limiter, key, 'submissions from this address');
}
