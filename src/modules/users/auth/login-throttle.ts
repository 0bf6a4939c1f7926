import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { createLimiter } from '../../../shared/rate-limiter';
import { AppError } from '../../../shared/errors';

export interface LoginThrottleOptions {
  /** Failed logins allowed per email within the window. */
  maxFailuresPerAccount: number;
  /** Failed logins allowed per client address within the window. */
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

/**
 * Counts failed logins per email and per client address (in Redis when there is one, so every
 * instance sees the same counts). Once either count reaches its limit, logins for that email, or
 * from that address, are refused before any password is checked, until the window that began with
 * the first failure ends: the right password does not get in either. An email that names no
 * account is counted exactly like one that does, so the answer tells nothing about existence.
 */
export class LoginThrottle {
  private readonly perAccount: RateLimiterAbstract;
  private readonly perAddress: RateLimiterAbstract;

  constructor(
    private readonly options: LoginThrottleOptions,
    redis?: Redis,
  ) {
    const limiter = (keyPrefix: string, points: number) => createLimiter({ keyPrefix, points, durationSeconds: options.windowSeconds }, redis);
    this.perAccount = limiter('login-fail-account', options.maxFailuresPerAccount);
    this.perAddress = limiter('login-fail-address', options.maxFailuresPerAddress);
  }

  /** RATE_LIMITED (HTTP 429, Retry-After) while the email or the address has used up its failures. */
  async check(email: string, address: string): Promise<void> {
    const [account, from] = await Promise.all([this.perAccount.get(accountKey(email)), this.perAddress.get(address)]);
    const waits = [blockedFor(account, this.options.maxFailuresPerAccount), blockedFor(from, this.options.maxFailuresPerAddress)];
    const ms = Math.max(...waits);
    if (ms > 0) throw throttled(Math.ceil(ms / 1000));
  }

  /** Counts a failure for both; true when this failure is the one that reached a limit. */
  async failed(email: string, address: string): Promise<boolean> {
    const [account, from] = await Promise.all([this.perAccount.penalty(accountKey(email)), this.perAddress.penalty(address)]);
    return account.consumedPoints === this.options.maxFailuresPerAccount || from.consumedPoints === this.options.maxFailuresPerAddress;
  }

  /** A successful login clears the email's failures (not the address's: one good account must not unlock guessing at others). */
  async succeeded(email: string): Promise<void> {
    await this.perAccount.delete(accountKey(email));
  }
}

/** The key is a digest: an email of any length (or content) makes a short, safe key. */
function accountKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
}

function blockedFor(res: RateLimiterRes | null, limit: number): number {
  return res && res.consumedPoints >= limit ? Math.max(1000, res.msBeforeNext) : 0;
}

function throttled(retryAfterSeconds: number): AppError {
  return new AppError('RATE_LIMITED', `Too many failed logins; try again in ${retryAfterSeconds} s.`, {
    retryAfterSeconds,
    http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
  });
}
