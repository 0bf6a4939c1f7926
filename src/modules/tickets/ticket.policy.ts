import type { Actor } from '../users/auth/actor';
import { isStaffOrScoped } from '../users/auth/access';
import { ApiScope } from '../users/auth/api-scope.enum';

/** Who may change tickets. Who may read them is decided in ../access/visibility.ts. */

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
