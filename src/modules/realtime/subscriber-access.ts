import { canSeeInternal } from '../comments/comment.policy';
import type { TicketEvent } from '../tickets/ticket-event.entity';
import type { Ticket } from '../tickets/ticket.entity';
import { canViewTicket } from '../tickets/ticket.policy';
import type { Actor } from '../users/auth/actor';
import type { LoadedEntry } from './timeline-hub';

/** The access rules of queries, applied to a loaded entry: its ticket in scope, nothing internal unless allowed. */
export function canSee(actor: Actor, { event, ticket, comment }: LoadedEntry): boolean {
  if (!canViewTicket(actor, { businessId: ticket.business?.id ?? null })) return false;
  if ((event.isInternal || comment?.isInternal) && !canSeeInternal(actor)) return false;
  return true;
}

/** What a subscriber asked for (keys, not global ids). */
export interface EntryFilter {
  ticketId?: string | null;
  businessId?: string | null;
  assigneeId?: string | null;
  types?: readonly string[] | null;
}

export function matchesFilter({ event, ticket }: { event: TicketEvent; ticket: Ticket }, wanted: EntryFilter): boolean {
  if (wanted.ticketId && ticket.id !== wanted.ticketId) return false;
  if (wanted.businessId && ticket.business?.id !== wanted.businessId) return false;
  if (wanted.assigneeId && ticket.assignee?.id !== wanted.assigneeId) return false;
  return !wanted.types || wanted.types.includes(event.type);
}
