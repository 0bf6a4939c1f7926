import type { EventSubscriber } from '@mikro-orm/core';
import { assertBeforeDeadline } from '../shared/deadline';

/**
 * A transaction that reaches its commit after its request's deadline rolls back instead: that request
 * was already answered TIMEOUT, and a change the client was told nothing about must not land.
 */
export class DeadlineGuard implements EventSubscriber {
  beforeTransactionCommit(): void {
    assertBeforeDeadline();
  }
}
