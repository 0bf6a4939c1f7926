/**
 * Recognises the database's time limits in errors, as knex raises them or as MikroORM converts them
 * (a DriverException keeps the original's message and SQLSTATE `code`).
 */

/** knex's message when the pool had no free connection within the acquire timeout (knex 3, lib/client.js). */
const POOL_TIMEOUT = 'Knex: Timeout acquiring a connection';

/** Every pool connection stayed busy for the acquire timeout. */
export function isPoolTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'KnexTimeoutError' || error.message.startsWith(POOL_TIMEOUT));
}

/**
 * PostgreSQL stopped the work: `query_canceled` (57014, statement_timeout) or
 * `idle_in_transaction_session_timeout` (25P03).
 */
export function isStatementTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '57014' || code === '25P03';
}

/** PostgreSQL broke a deadlock between two transactions by failing this one (`deadlock_detected`, 40P01). */
export function isDeadlock(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '40P01';
}
