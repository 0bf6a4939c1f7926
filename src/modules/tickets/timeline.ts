import type { EntityManager } from '@mikro-orm/postgresql';
import { Contact } from '../businesses/contact.entity';
import type { Actor } from '../users/auth/actor';
import { User } from '../users/user.entity';
import { TicketEvent, TicketEventType } from './ticket-event.entity';
import type { Ticket } from './ticket.entity';
import type { TicketStatus } from './ticket.enums';

/** Who acted, when it is neither a user nor a contact (those are the entry's actor columns). */
function actorDetails(actor: Actor): Record<string, unknown> {
  if (actor.kind === 'apiKey') return { apiKey: actor.name };
  if (actor.kind === 'sender') return { sender: actor.email };
  return {};
}

export interface EventFields {
  fromStatus?: TicketStatus | null;
  toStatus?: TicketStatus | null;
  reason?: string | null;
  /** The reason is for the team only; the entry stays visible. */
  reasonInternal?: boolean;
  isInternal?: boolean;
  details?: Record<string, unknown>;
}

/**
 * Appends one timeline entry to the unit of work of `em`, so it commits (or rolls back) with the
 * change it records. An API key or an unknown email sender is named in the details.
 */
export function recordEvent(em: EntityManager, ticket: Ticket, actor: Actor, type: TicketEventType, fields: EventFields = {}) {
  const event = em.create(TicketEvent, {
    ticket,
    type,
    actor: actor.kind === 'user' ? em.getReference(User, actor.id) : null,
    actorContact: actor.kind === 'contact' ? em.getReference(Contact, actor.id) : null,
    fromStatus: fields.fromStatus ?? null,
    toStatus: fields.toStatus ?? null,
    reason: fields.reason ?? null,
    reasonInternal: fields.reasonInternal ?? false,
    isInternal: fields.isInternal ?? false,
    details: { ...fields.details, ...actorDetails(actor) },
  });
  return event;
}
