import { Pool } from 'pg';

/** How often the database is checked, and how old the last good check may be before /healthz says 503. */
const CHECK_EVERY_MS = 1000;
const STALE_AFTER_MS = 3000;

export interface HealthCheck {
  /** Null when the database answered a recent check; otherwise why not. Never waits. */
  databaseProblem(): string | null;
  /** The names of the migrations the database has applied (read on the check's own connection). */
  appliedMigrations(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * The database check behind /healthz. It runs every second on one connection of its own, never the
 * ORM's pool, and /healthz answers from its last result without waiting on anything: a probe is
 * answered at once even while every pool connection is busy, and a flood of probes opens no connection
 * and runs no query. A database that stops answering shows as stale within STALE_AFTER_MS.
 */
export async function createHealthCheck(clientUrl: string): Promise<HealthCheck> {
  const pool = new Pool({ connectionString: clientUrl, max: 1, connectionTimeoutMillis: STALE_AFTER_MS, statement_timeout: CHECK_EVERY_MS });
  // An idle connection that the server closes (a restart) is dropped by the pool and reopened on the next check.
  pool.on('error', () => undefined);
  let lastGood = 0;
  let failed = false;
  let checking = false;
  const check = async () => {
    if (checking) return;
    checking = true;
    try {
      await pool.query('select 1');
      lastGood = Date.now();
      failed = false;
    } catch {
      failed = true;
    } finally {
      checking = false;
    }
  };
  // The first result is in before the server listens: a probe right after the start is not told "starting".
  await check();
  const timer = setInterval(() => void check(), CHECK_EVERY_MS);
  timer.unref();
  return {
    databaseProblem() {
      if (failed) return 'database unavailable';
      return Date.now() - lastGood > STALE_AFTER_MS ? 'database did not answer in time' : null;
    },
    async appliedMigrations() {
      const { rows } = await pool.query<{ name: string }>('select name from mikro_orm_migrations');
      return rows.map((row) => row.name);
    },
    async close() {
      clearInterval(timer);
      await pool.end();
    },
  };
}
