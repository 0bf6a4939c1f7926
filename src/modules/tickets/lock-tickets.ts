import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../shared/errors';
import { ticketRule } from '../access/visibility';
import type { Actor } from '../users/auth/actor';
import { Ticket } from './ticket.entity';

/**
 * Locks several tickets the actor may see, one by one in id order, inside the caller's transaction:
 * two changes that each lock a set of tickets (a merge, a parent resolving its children) always take
 * the locks in the same order, so they wait for each other instead of deadlocking. NOT_FOUND when one
 * does not exist or is not visible. Answers the tickets by id.
 */
export async function lockTickets(em: EntityManager, actor: Actor, ids: readonly string[]): Promise<Map<string, Ticket>> {
  const where = ticketRule(actor).where;
  const locked = new Map<string, Ticket>();
  for (const id of [...new Set(ids)].sort()) {
    const ticket = where ? await em.findOne(Ticket, { $and: [where, { id }] } as never, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true }) : null;
    if (!ticket) throw notFound('Ticket');
    locked.set(id, ticket as Ticket);
  }
  return locked;
}
