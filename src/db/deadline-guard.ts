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

/**
 * The ORM's `onQuery` hook: no statement of a request past its deadline starts (TIMEOUT instead), so
 * an answered request starts no new work. Checked where work starts rather than before every field a
 * resolver answers: a per-field hook makes Apollo wrap every resolver of the schema, which costs
 * every request (issue 19). Outside an HTTP request there is no deadline and nothing is checked.
 */
export function statementBeforeDeadline(sql: string): string {
  assertBeforeDeadline();
  return sql;
}
