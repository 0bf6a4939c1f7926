import { AppError } from '../../shared/errors';
import { SHARED_BY_ACCESS_CLASS } from './shared-subscriptions';
import type { LoadedEntry } from './timeline-hub';

/**
 * Messages a feed's reader may fall behind by. Its reader takes each one as it comes (the shared
 * subscriptions' executions, or a replay that has caught up); this bounds what waits if it does not.
 */
export const MAX_BEHIND = 1_000;

/**
 * A stream of payloads for one subscription, or one group of subscriptions sharing it (what it keeps
 * depends only on the subscription's arguments and the subscriber's access class, hence
 * SHARED_BY_ACCESS_CLASS): the hub offers it every entry, it keeps what its subscriber may see and asked
 * for, in order, until its reader takes it. A plain queue rather than a chain of async iterators.
 * A session's expiry is checked where messages are written (shared-subscriptions.ts), per subscriber.
 */
export class TimelineFeed<T> implements AsyncIterableIterator<T> {
  readonly [SHARED_BY_ACCESS_CLASS] = true;
  private readonly queue: T[] = [];
  private waiting?: { resolve(result: IteratorResult<T>): void; reject(error: Error): void };
  private failure?: Error;
  private ended = false;

  constructor(
    /** The payload for this subscriber, or null when the entry is not for it. */
    private readonly select: (entry: LoadedEntry) => T | null,
    private readonly onEnd: () => void,
  ) {}

  /** Whether the entry was for this subscriber (it is then delivered, or queued for it). */
  offer(entry: LoadedEntry): boolean {
    if (this.ended) return false;
    const value = this.select(entry);
    if (value === null) return false;
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = undefined;
      resolve({ value, done: false });
      return true;
    }
    if (this.queue.length >= MAX_BEHIND) {
      this.fail(new AppError('RATE_LIMITED', `This subscription fell ${MAX_BEHIND} messages behind and was ended; subscribe again (with \`since\` to catch up).`));
      return false;
    }
    this.queue.push(value);
    return true;
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      return Promise.reject(failure);
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    this.queue.length = 0;
    this.waiting?.resolve({ value: undefined, done: true });
    this.waiting = undefined;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Ends the feed with an error, after what is already queued. */
  private fail(error: Error): void {
    this.end();
    if (this.waiting) {
      this.waiting.reject(error);
      this.waiting = undefined;
    } else {
      this.failure = error;
    }
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd();
  }
}
