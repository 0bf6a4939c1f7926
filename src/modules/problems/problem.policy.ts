import { seesInternal, ticketScope } from '../access/visibility';
import { canWorkOnTickets } from '../tickets/ticket.policy';
import type { Actor } from '../users/auth/actor';

/**
 * Problems are internal, as in Zendesk: a customer never sees one, nor that its ticket is linked to
 * one. Reading them takes what reading every ticket's internal notes takes: staff, or an API key with
 * TICKETS_READ and COMMENTS_INTERNAL.
 */
export function canReadProblems(actor: Actor): boolean {
  return seesInternal(actor) && ticketScope(actor).kind === 'all';
}

/** Creating and changing problems: those who read them and work on tickets (staff, or a key that also has TICKETS_WRITE). */
export function canWorkOnProblems(actor: Actor): boolean {
  return canReadProblems(actor) && canWorkOnTickets(actor);
}
