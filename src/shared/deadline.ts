import { AsyncLocalStorage } from 'node:async_hooks';
import { timedOut } from './errors';

/**
 * The deadline (ms since the epoch) of the HTTP request the current code runs for, carried by the
 * async context so that services and ORM hooks see it without passing it along. Code outside an HTTP
 * request (WebSocket operations, background jobs, scripts) has none.
 */
const deadlines = new AsyncLocalStorage<number>();

export function runWithDeadline<T>(deadline: number, work: () => T): T {
  return deadlines.run(deadline, work);
}

/** TIMEOUT once the current request's deadline has passed: no new work starts for a request already answered. */
export function assertBeforeDeadline(): void {
  const deadline = deadlines.getStore();
  if (deadline !== undefined && Date.now() >= deadline) throw timedOut();
}
