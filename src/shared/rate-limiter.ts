import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from './errors';

export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  /** While Redis is unreachable, count in this instance's memory instead of failing the request. */
  memoryWhileRedisIsDown?: boolean;
}

/**
 * A rate-limiter-flexible limiter: in Redis when there is one (so its counts hold across instances),
 * in memory otherwise. Every limit of the server (web form, logins, requests) is built here.
 */
export function createLimiter({ keyPrefix, points, durationSeconds, memoryWhileRedisIsDown = false }: LimiterOptions, redis?: Redis): RateLimiterAbstract {
  const settings = { keyPrefix, points, duration: durationSeconds };
  if (!redis) return new RateLimiterMemory(settings);
  return new RateLimiterRedis({ ...settings, storeClient: redis, ...(memoryWhileRedisIsDown && { insuranceLimiter: new RateLimiterMemory(settings) }) });
}

/** Takes one point for `key`, or answers RATE_LIMITED (HTTP 429) with the seconds to wait; `what` names what was limited ("Too many …"). */
export async function consumeOrRefuse(limiter: RateLimiterAbstract, key: string, what: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (rejection) {
    if (!(rejection instanceof RateLimiterRes)) throw rejection;
    const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw new AppError('RATE_LIMITED', `Too many ${what}; try again in ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
      http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
    });
  }
}
