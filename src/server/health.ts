import { Pool } from 'pg';

/** Longest /healthz waits for the database before it answers 503. */
const CHECK_TIMEOUT_MS = 500;

export interface HealthCheck {
  /** Null when the database answered in time; otherwise why not. */
  databaseProblem(): Promise<string | null>;
  close(): Promise<void>;
}

/**
 * The database check of /healthz, on one connection of its own: with the ORM's pool exhausted it still
 * answers at once, and a slow or unreachable database answers within CHECK_TIMEOUT_MS. One connection
 * at most, however many probes arrive: a flood of /healthz cannot open connections.
 */
export function createHealthCheck(clientUrl: string): HealthCheck {
  const pool = new Pool({
    connectionString: clientUrl,
    max: 1,
    connectionTimeoutMillis: CHECK_TIMEOUT_MS,
    query_timeout: CHECK_TIMEOUT_MS,
    statement_timeout: CHECK_TIMEOUT_MS,
  });
  // An idle connection that the server closes (a restart) is dropped by the pool and reopened on the next probe.
  pool.on('error', () => undefined);
  return {
    async databaseProblem() {
      try {
        await pool.query('select 1');
        return null;
      } catch (error) {
        return /timeout/i.test(String((error as Error).message)) ? 'database did not answer in time' : 'database unavailable';
      }
    },
    close: () => pool.end(),
  };
}
