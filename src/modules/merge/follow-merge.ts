import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict } from '../../shared/errors';
import { lockTickets } from '../tickets/lock-tickets';
import type { Ticket } from '../tickets/ticket.entity';
import type { Actor } from '../users/auth/actor';

/** Longest chain of merges followed (A into B, later B into C, …); a merge never makes a cycle. */
const MAX_HOPS = 20;

/**
 * Where a ticket's conversation continues: the end of its chain of merges, or the ticket itself when
 * it is not merged. Reads without locks (see `lockFollowingMerges` for a change).
 */
export async function mergeTargetId(em: EntityManager, ticketId: string): Promise<string> {
  const [row] = await em.execute<{ id: string }[]>(
    `with recursive chain (id, next_id, hops) as (
       select id, merged_into_id, 0 from ticket where id = ?
       union all
       select t.id, t.merged_into_id, c.hops + 1 from ticket t join chain c on t.id = c.next_id where c.hops < ${MAX_HOPS}
     ) select id from chain where next_id is null`,
    [ticketId],
  );
  return row?.id ?? ticketId;
}

/**
 * Locks the ticket a change is addressed to and, when it is merged, the ticket its conversation
 * continues on, then checks that the chain did not move meanwhile (an unmerge or a further merge that
 * committed first), trying again if it did. Most tickets were never merged, so the addressed ticket is
 * locked first and alone: one statement decides, as for a change without merges. A merged one then locks
 * its target out of a merge's id order; an unmerge of the same pair at that moment is a deadlock that
 * PostgreSQL breaks by failing one side, answered CONFLICT (see server/errors.ts).
 */
export async function lockFollowingMerges(em: EntityManager, actor: Actor, ticketId: string): Promise<{ addressed: Ticket; target: Ticket }> {
  const addressed = (await lockTickets(em, actor, [ticketId])).get(ticketId)!;
  if (!addressed.mergedInto) return { addressed, target: addressed };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const targetId = await mergeTargetId(em, ticketId);
    const locked = await lockTickets(em, actor, [ticketId, targetId]);
    const target = locked.get(targetId)!;
    if (!target.mergedInto && (targetId === ticketId || (await mergeTargetId(em, ticketId)) === targetId)) {
      return { addressed: locked.get(ticketId)!, target };
    }
  }
  throw conflict('The ticket was merged or unmerged while this change waited; try again.');
}
