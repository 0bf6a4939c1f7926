import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

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
