import { commentRule, timelineRule } from '../access/visibility';
import type { TicketEvent } from '../tickets/ticket-event.entity';
import type { Ticket } from '../tickets/ticket.entity';
import type { Actor } from '../users/auth/actor';
import type { LoadedEntry } from './timeline-hub';

/** The rules of queries (visibility.ts), applied to a loaded entry: the entry, and the comment it carries, must be visible. */
export function canSee(actor: Actor, { event, ticket, comment }: LoadedEntry): boolean {
  const onTicket = { businessId: ticket.business?.id ?? null };
  if (!timelineRule(actor).allows({ ticket: onTicket, isInternal: event.isInternal })) return false;
  return !comment || commentRule(actor).allows({ ticket: onTicket, isInternal: comment.isInternal });
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
