import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type ExecutionResult } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** A running subscription: what arrived so far, and a way to wait for more. */
export interface Subscription<T> {
  received: ExecutionResult<T>[];
  /** What ended the subscription with an error: GraphQL errors, or the socket's close event. */
  errors: unknown[];
  /**
   * Resolves once `count` results have arrived, or rejects after `timeoutMs`. The default is generous:
   * a wait for something that must arrive ends when it does, and only a lost message waits it out
   * (on a loaded machine, deliveries take seconds).
   */
  waitFor(count: number, timeoutMs?: number): Promise<ExecutionResult<T>[]>;
  stop(): void;
}

/** A real graphql-ws client (graphql-transport-ws protocol) against the test server's `/graphql`. */
export function wsClient(httpUrl: string, token?: string): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
}

export function subscribe<T, V>(client: Client, document: TypedDocumentNode<T, V>, variables?: V): Subscription<T> {
  const received: ExecutionResult<T>[] = [];
  const errors: unknown[] = [];
  const waiters: (() => void)[] = [];
  const stop = client.subscribe<T>(
    { query: print(document), variables: variables as Record<string, unknown> | undefined },
    {
      next: (value) => {
        received.push(value as ExecutionResult<T>);
        waiters.splice(0).forEach((wake) => wake());
      },
      error: (error) => {
        errors.push(error);
        waiters.splice(0).forEach((wake) => wake());
      },
      complete: () => undefined,
    },
  );
  return {
    received,
    errors,
    stop,
    waitFor(count, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${count} results, got ${received.length}`)), timeoutMs);
        const check = () => {
          if (received.length >= count) {
            clearTimeout(timer);
            resolve(received);
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

/** Waits until `subscription`'s results satisfy `done`, one arrival at a time (each within waitFor's deadline). */
export async function receivedUntil<T>(subscription: Subscription<T>, done: (received: ExecutionResult<T>[]) => boolean): Promise<void> {
  while (!done(subscription.received)) await subscription.waitFor(subscription.received.length + 1);
}

/**
 * Repeats `trigger` until `probe` receives something. Each attempt waits longer for it (a loaded
 * machine is slow, and every extra trigger is more background work), up to a minute in all.
 */
export async function triggerUntilHeard<T>(probe: Subscription<T>, trigger: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (let wait = 100; probe.received.length === 0 && Date.now() < deadline; wait = Math.min(wait * 2, 5_000)) {
    await trigger();
    await probe.waitFor(1, wait).catch(() => undefined);
  }
  if (probe.received.length === 0) throw new Error('the subscription never became live');
}

/**
 * Subscriptions register asynchronously. This repeats `trigger` until `probe` (subscribed after the
 * subscriptions under test, on the same client) receives something: from then on they are live too.
 */
export async function untilLive<T>(probe: Subscription<T>, trigger: () => Promise<unknown>): Promise<void> {
  await triggerUntilHeard(probe, trigger);
  probe.stop();
}
