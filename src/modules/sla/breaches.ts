import type { EntityManager } from '@mikro-orm/postgresql';
import { TicketEventType } from '../tickets/ticket-event.entity';
import type { Ticket } from '../tickets/ticket.entity';
import { recordEvent } from '../tickets/timeline';
import { SYSTEM } from '../users/auth/actor';
import { newBreaches } from './sla-clock';

/**
 * Marks each SLA clock of `ticket` that ran out by `now` without being recorded, with an
 * SLA_BREACHED timeline entry that has no actor. Called by the breach job, and by the changes that
 * stop a clock (first reply, resolution), so a late one is recorded even between job runs.
 */
export function recordBreaches(em: EntityManager, ticket: Ticket, now: Date): void {
  for (const clock of newBreaches(ticket, now)) {
    const due = clock === 'FIRST_RESPONSE' ? ticket.firstResponseDueAt : ticket.dueAt;
    if (clock === 'FIRST_RESPONSE') ticket.firstResponseBreachedAt = now;
    else ticket.resolutionBreachedAt = now;
    recordEvent(em, ticket, SYSTEM, TicketEventType.SLA_BREACHED, { details: { clock, dueAt: due?.toISOString() ?? null } });
  }
}
