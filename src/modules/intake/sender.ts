import type { EntityManager } from '@mikro-orm/postgresql';
import { Business } from '../businesses/business.entity';
import { Contact } from '../businesses/contact.entity';
import type { Actor } from '../users/auth/actor';

/** What the sender's address tells about who wrote in. */
export interface SenderMatch {
  contact: Contact | null;
  business: Business | null;
}

/** A sender the address tells nothing about, or one that is not to be believed. */
export const NO_MATCH: SenderMatch = { contact: null, business: null };

/**
 * A known contact's address links to its business; otherwise an address whose domain is the domain of
 * exactly one business links to that business. Anything else (a free-mail address, two businesses
 * sharing a domain) stays for triage.
 */
export async function matchSender(em: EntityManager, email: string | null): Promise<SenderMatch> {
  if (!email) return { contact: null, business: null };
  const contact = await em.findOne(Contact, { email: email.toLowerCase() }, { populate: ['business'] });
  if (contact) return { contact, business: contact.business };
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  const businesses = await em.find(Business, { domain }, { limit: 2 });
  return { contact: null, business: businesses.length === 1 ? businesses[0] : null };
}

/** The actor for something a sender wrote: the contact when known, else a bare sender. */
export function senderActor(match: SenderMatch, name: string | null, email: string): Actor {
  const { contact } = match;
  if (contact) return { kind: 'contact', id: contact.id, businessId: contact.business.id, name: contact.name, email: contact.email };
  return { kind: 'sender', name: name ?? email, email };
}
