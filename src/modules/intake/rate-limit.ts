import type Redis from 'ioredis';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../../shared/errors';
import { createLimiter } from '../../shared/rate-limiter';

/**
 * Limits public submissions per client address: `points` per `windowSeconds`. Shared through Redis
 * when there is one (so the limit holds across instances), in memory otherwise.
 */
export function createSubmitLimiter(points: number, windowSeconds: number, redis?: Redis): RateLimiterAbstract {
  return createLimiter({ keyPrefix: 'submit-ticket', points, durationSeconds: windowSeconds }, redis);
}

/** Takes one point for `key`, or answers RATE_LIMITED (HTTP 429) with the seconds to wait. */
export async function consume(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new AppError('RATE_LIMITED', `Too many submissions from this address; try again in ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
      http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
    });
  }
}
