import type { EntityManager } from '@mikro-orm/postgresql';
import { toGlobalId } from '../../shared/global-id';
import { TicketEventType } from '../tickets/ticket-event.entity';
import { recordEvent } from '../tickets/timeline';
import { SYSTEM } from '../users/auth/actor';
import { FollowUp } from './follow-up.entity';

const BATCH = 100;

/**
 * Records a FOLLOW_UP_DUE entry (internal, no actor) on the ticket of each pending follow-up due by
 * `now`, once: the follow-up is marked in the same transaction, and rows are taken with
 * `for update skip locked`, so instances running it at the same time never record one twice.
 */
export async function recordDueFollowUps(root: EntityManager, now = new Date()): Promise<number> {
  let recorded = 0;
  for (;;) {
    const batch = await root.fork().transactional(async (em) => {
      const rows = await em.execute<{ id: string }[]>(
        `select id from follow_up where completed_at is null and due_recorded_at is null and due_at <= ?
          order by due_at limit ${BATCH} for update skip locked`,
        [now],
      );
      if (rows.length === 0) return 0;
      const followUps = await em.find(FollowUp, { id: { $in: rows.map((row) => row.id) } }, { populate: ['ticket'] });
      for (const followUp of followUps) {
        followUp.dueRecordedAt = now;
        recordEvent(em, followUp.ticket, SYSTEM, TicketEventType.FOLLOW_UP_DUE, {
          isInternal: true,
          details: { followUp: followUp.globalId, owner: toGlobalId('User', followUp.owner.id), dueAt: followUp.dueAt.toISOString(), note: followUp.note },
        });
      }
      return rows.length;
    });
    recorded += batch;
    if (batch < BATCH) return recorded;
  }
}
