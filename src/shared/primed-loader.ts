import DataLoader from 'dataloader';

/** A value now, or a promise of it. */
export type Now<V> = V | Promise<V>;

/** `then` for a value that may already be at hand: `map` runs at once when it is, so no promise is made. */
export function whenReady<V, R>(value: Now<V>, map: (value: V) => R): Now<R> {
  return value instanceof Promise ? value.then(map) : map(value);
}

/**
 * A DataLoader that answers what it was primed with at once (`now`): the value, not a promise of it.
 * A read model primes the loaders with every row a selection needs (tickets/ticket-read.ts); field
 * resolvers that answer through `now` then complete without a promise each, so graphql-js completes
 * their objects without waiting, and the async-context hooks every promise runs never run (promises
 * and their garbage were a good part of the CPU of a page of tickets, issue 19). A key it was not
 * primed with is loaded as by `load`. Like DataLoader, it keeps the first value a key was given.
 */
export class PrimedLoader<K, V, C = K> extends DataLoader<K, V, C> {
  private readonly primed = new Map<C, V>();
  private readonly cached: Map<C, Promise<V>>;
  private readonly keyOf: (key: K) => C;

  constructor(batch: DataLoader.BatchLoadFn<K, V>, options: Omit<DataLoader.Options<K, V, C>, 'cacheMap' | 'cache'> = {}) {
    const cached = new Map<C, Promise<V>>();
    super(batch, { ...options, cacheMap: cached });
    this.cached = cached;
    this.keyOf = options.cacheKeyFn ?? ((key: K) => key as unknown as C);
  }

  /** The value primed for `key`, at once; otherwise `load(key)`. */
  now(key: K): Now<V> {
    const cacheKey = this.keyOf(key);
    return this.primed.has(cacheKey) ? (this.primed.get(cacheKey) as V) : this.load(key);
  }

  override prime(key: K, value: V | PromiseLike<V> | Error): this {
    const cacheKey = this.keyOf(key);
    if (!this.cached.has(cacheKey) && !(value instanceof Error) && !isPromiseLike(value)) this.primed.set(cacheKey, value);
    return super.prime(key, value);
  }

  override clear(key: K): this {
    this.primed.delete(this.keyOf(key));
    return super.clear(key);
  }

  override clearAll(): this {
    this.primed.clear();
    return super.clearAll();
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
