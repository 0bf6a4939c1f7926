import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Config } from './config';
import { recordDueBreaches } from './modules/sla/breach.job';
import { recordSlaWarnings } from './modules/sla/at-risk.job';
import { recordDueFollowUps } from './modules/followups/follow-up-due.job';
import { autoCloseQuietTickets } from './modules/tickets/auto-close.job';

export interface Jobs {
  /** Stops scheduling and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs the background jobs every `jobIntervalSeconds` on this instance. Each job is safe to run on
 * several instances at once (skip locked), so no leader election is needed.
 */
export function startJobs(em: EntityManager, config: Config, logger: Logger): Jobs {
  if (config.jobIntervalSeconds === 0) return { stop: async () => undefined };
  let running: Promise<void> = Promise.resolve();
  const run = async () => {
    const closed = await autoCloseQuietTickets(em, config.autoCloseAfterSeconds);
    const warnings = await recordSlaWarnings(em, config.slaWarnAt);
    const breaches = await recordDueBreaches(em);
    const followUpsDue = await recordDueFollowUps(em);
    if (closed || warnings || breaches || followUpsDue) logger.info({ closed, warnings, breaches, followUpsDue }, 'background jobs');
  };
  const timer = setInterval(() => {
    running = running.then(run).catch((error: unknown) => logger.error({ err: error }, 'background job failed'));
  }, config.jobIntervalSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
