import { timelineRule } from '../access/visibility';
import type { TicketEvent } from '../tickets/ticket-event.entity';
import type { Ticket } from '../tickets/ticket.entity';
import type { Actor } from '../users/auth/actor';
import type { LoadedEntry } from './timeline-hub';

/**
 * The rule of queries (visibility.ts), applied to a loaded entry. A COMMENTED entry carries its
 * comment's internal flag (writeComment sets both, and comments are never edited), so the entry's
 * rule is its comment's too.
 */
export function canSee(actor: Actor, { event, ticket }: LoadedEntry): boolean {
  return timelineRule(actor).allows({ ticket: { businessId: ticket.business?.id ?? null }, isInternal: event.isInternal });
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
