import type { Actor } from '../users/auth/actor';
import { isStaffOrScoped } from '../users/auth/access';
import { ApiScope } from '../users/auth/api-scope.enum';
import { canWorkOnTickets } from '../tickets/ticket.policy';

/**
 * Who sees and changes how mail stands for a contact's address. Pure. A bounce reason is a mail
 * server's diagnostic about the address, so other contacts of the business do not see it.
 */

/** Staff, API keys with TICKETS_READ, and the contact itself. */
export function seesMailStatus(actor: Actor, contact: { id: string }): boolean {
  return isStaffOrScoped(actor, ApiScope.TICKETS_READ) || (actor.kind === 'contact' && actor.id === contact.id);
}

/** Subscribing or unsubscribing: whoever works on tickets, and the contact itself. */
export function canChangeSubscription(actor: Actor, contact: { id: string }): boolean {
  return canWorkOnTickets(actor) || (actor.kind === 'contact' && actor.id === contact.id);
}

/** Clearing a bounce (the address works again): whoever works on tickets only. */
export function canClearBounce(actor: Actor): boolean {
  return canWorkOnTickets(actor);
}
