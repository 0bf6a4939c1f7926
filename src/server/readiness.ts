import type Redis from 'ioredis';
import { migrationsList } from '../db/migrations';
import type { HealthCheck } from './health';

/** How long one readiness probe may wait on the database or Redis before it counts as failed. */
const PROBE_MS = 2000;

export interface Readiness {
  ready: boolean;
  checks: Record<string, 'ok' | string>;
}

function within<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${PROBE_MS} ms`)), PROBE_MS);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const problem = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * What /readyz reports: the database reachable (the health check's last result, on its own connection,
 * never the ORM's pool), every migration this code knows applied, and Redis answering when REDIS_URL is set.
 */
export async function readiness(health: HealthCheck, redis: Redis | undefined): Promise<Readiness> {
  const checks: Record<string, string> = {};
  const database = health.databaseProblem();
  checks.database = database ?? 'ok';
  if (database) checks.migrations = 'unknown: database unavailable';
  else {
    try {
      const applied = new Set((await within(health.appliedMigrations(), 'the database')).map((name) => name.replace(/\.[jt]s$/, '')));
      const missing = migrationsList.map((migration) => migration.name).filter((name) => !applied.has(name));
      checks.migrations = missing.length === 0 ? 'ok' : `not applied: ${missing.join(', ')}`;
    } catch (error) {
      checks.migrations = `unknown: ${problem(error)}`;
    }
  }
  if (redis) {
    try {
      await within(redis.ping(), 'Redis');
      checks.redis = 'ok';
    } catch (error) {
      checks.redis = problem(error);
    }
  }
  return { ready: Object.values(checks).every((check) => check === 'ok'), checks };
}
