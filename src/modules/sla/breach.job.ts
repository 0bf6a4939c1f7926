import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { FINISHED_STATUSES, Ticket } from '../tickets/ticket.entity';
import { recordBreaches } from './breaches';

const BATCH = 100;

/**
 * Records SLA breaches of running clocks that ran out by `now`: an SLA_BREACHED entry with no actor,
 * once per clock. Same batching and `skip locked` discipline as auto-close, so it is safe to run on
 * every instance. Breaches do not move `version`: a background job must not make a user's edit stale.
 */
export async function recordDueBreaches(root: EntityManager, now = new Date()): Promise<number> {
  let recorded = 0;
  for (;;) {
    const batch = await root.fork().transactional(async (em) => {
      const tickets = await em.find(
        Ticket,
        {
          status: { $nin: [...FINISHED_STATUSES] },
          slaPausedSince: null,
          $or: [
            { dueAt: { $lt: now }, resolutionBreachedAt: null },
            { firstResponseDueAt: { $lt: now }, firstRespondedAt: null, firstResponseBreachedAt: null },
          ],
        },
        { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, limit: BATCH },
      );
      for (const ticket of tickets) recordBreaches(em, ticket, now);
      return tickets.length;
    });
    recorded += batch;
    if (batch < BATCH) return recorded;
  }
}
