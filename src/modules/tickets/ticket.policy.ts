import type { Actor } from '../users/auth/actor';
import { isStaffOrScoped } from '../users/auth/access';
import { ApiScope } from '../users/auth/api-scope.enum';

/**
 * Which tickets an actor may read: all of them, those of one business, or none. Every query that
 * reads tickets turns this into a SQL condition, so an unseen ticket is never fetched.
 */
export type TicketScope = { kind: 'all' } | { kind: 'business'; businessId: string } | { kind: 'none' };

export function ticketScope(actor: Actor): TicketScope {
  if (isStaffOrScoped(actor, ApiScope.TICKETS_READ)) return { kind: 'all' };
  if (actor.kind === 'contact') return { kind: 'business', businessId: actor.businessId };
  return { kind: 'none' };
}

export function canViewTicket(actor: Actor, ticket: { businessId: string | null }): boolean {
  const scope = ticketScope(actor);
  if (scope.kind === 'all') return true;
  return scope.kind === 'business' && ticket.businessId === scope.businessId;
}

/**
 * Staff work on tickets: create for anyone, edit fields, internal comments, status, assignment,
 * links, tags and due dates. Staff, or an API key with TICKETS_WRITE.
 */
export function canWorkOnTickets(actor: Actor): boolean {
  return isStaffOrScoped(actor, ApiScope.TICKETS_WRITE);
}

/** External comments: whoever works on tickets, and a customer on its own business's tickets. */
export function canCommentExternally(actor: Actor, ticket: { businessId: string | null }): boolean {
  if (canWorkOnTickets(actor)) return true;
  return actor.kind === 'contact' && ticket.businessId === actor.businessId;
}
