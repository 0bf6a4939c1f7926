import type { Actor } from '../users/auth/actor';

/**
 * Who may rate a ticket: its own contact, signed in, or whoever holds the ticket's one-time token
 * (a submitter without a login). Never staff or integrations: a rating is the customer's voice.
 */
export function canRate(actor: Actor, ticket: { contactId: string | null }, tokenMatches: boolean): boolean {
  // Staff can read the token; holding it must not let them rate their own work.
  if (actor.kind === 'user' || actor.kind === 'apiKey') return false;
  if (tokenMatches) return true;
  return actor.kind === 'contact' && ticket.contactId !== null && ticket.contactId === actor.id;
}
