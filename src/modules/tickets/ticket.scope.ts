import type { Actor } from '../users/auth/actor';
import { ticketScope } from './ticket.policy';

/** The ticket policy as an ORM condition on Ticket; null when the actor may read no ticket at all. */
export function ticketScopeWhere(actor: Actor): { business?: string } | null {
  const scope = ticketScope(actor);
  if (scope.kind === 'none') return null;
  return scope.kind === 'business' ? { business: scope.businessId } : {};
}
