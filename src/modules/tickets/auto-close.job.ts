import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { SYSTEM } from '../users/auth/actor';
import { TicketEventType } from './ticket-event.entity';
import { Ticket } from './ticket.entity';
import { TicketStatus } from './ticket.enums';
import { recordEvent } from './timeline';

const BATCH = 100;

/**
 * Closes RESOLVED tickets that stayed quiet for `quietSeconds`, in batches, each batch one
 * transaction. Rows are taken with `for update skip locked`, so several instances running the job at
 * once never close a ticket twice, and a ticket being changed right now is left for the next run.
 * Returns how many tickets it closed.
 */
export async function autoCloseQuietTickets(root: EntityManager, quietSeconds: number, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - quietSeconds * 1000);
  let closed = 0;
  for (;;) {
    const batch = await root.fork().transactional(async (em) => {
      const tickets = await em.find(
        Ticket,
        { status: TicketStatus.RESOLVED, resolvedAt: { $lt: cutoff } },
        { lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE, orderBy: { resolvedAt: 'asc' }, limit: BATCH },
      );
      for (const ticket of tickets) {
        recordEvent(em, ticket, SYSTEM, TicketEventType.AUTO_CLOSED, {
          fromStatus: TicketStatus.RESOLVED,
          toStatus: TicketStatus.CLOSED,
          details: { quietSeconds },
        });
        Object.assign(ticket, { status: TicketStatus.CLOSED, closedAt: now, updatedAt: now, version: ticket.version + 1 });
      }
      return tickets.length;
    });
    closed += batch;
    if (batch < BATCH) return closed;
  }
}
