import { businessRule, commentRule, contactRule, seesReason, seesUserPrivateFields, timelineRule } from '../access/visibility';
import type { Business } from '../businesses/business.entity';
import type { Contact } from '../businesses/contact.entity';
import type { Comment } from '../comments/comment.entity';
import type { TicketEvent } from '../tickets/ticket-event.entity';
import type { Ticket } from '../tickets/ticket.entity';
import type { Actor } from '../users/auth/actor';
import { ApiScope } from '../users/auth/api-scope.enum';
import type { User } from '../users/user.entity';

/** The body of a webhook message: `{ type, timestamp, data }`, as Standard Webhooks suggests. */
export interface WebhookMessage {
  type: string;
  /** When the change happened (ISO 8601). */
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * A WEBHOOK delivery's payload: the message, and whether it was composed with internal content (for
 * an endpoint with includeInternal), so it is not sent once the endpoint no longer includes it.
 */
export interface WebhookDeliveryPayload {
  message: WebhookMessage;
  internal: boolean;
}

/** Why a delivery may not go to the endpoint as it is now, or null: internal content for an endpoint that no longer includes it. */
export function withheldReason(endpoint: { includeInternal: boolean }, payload: WebhookDeliveryPayload): string | null {
  return payload.internal && !endpoint.includeInternal ? 'The message was composed with internal content, which the endpoint no longer receives.' : null;
}

/** Stored as jsonb: the interface as the plain record the outbox takes. */
export const storedPayload = (payload: WebhookDeliveryPayload): Record<string, unknown> => ({ ...payload });

/**
 * Whom a message is composed for: an API key with the endpoint's rights. An endpoint reads tickets
 * as a key with TICKETS_READ does, and internal content as one with COMMENTS_INTERNAL only when it
 * `includeInternal`. Every rule applied below is the API's own (access/visibility.ts).
 */
export function endpointViewer(endpoint: { id: string; includeInternal: boolean }): Actor {
  return {
    kind: 'apiKey',
    id: endpoint.id,
    name: 'webhook endpoint',
    scopes: endpoint.includeInternal ? [ApiScope.TICKETS_READ, ApiScope.COMMENTS_INTERNAL] : [ApiScope.TICKETS_READ],
  };
}

/** What a timeline entry's message is made of, loaded once per batch. */
export interface EntryFacts {
  entry: TicketEvent;
  ticket: Ticket;
  /** The comment of a COMMENTED entry. */
  comment: Comment | null;
  business: Business | null;
  contact: Contact | null;
  tags: readonly string[];
  users: ReadonlyMap<string, User>;
}

function userView(viewer: Actor, user: User | undefined) {
  if (!user) return null;
  return { id: user.globalId, name: user.name, role: user.role, email: seesUserPrivateFields(viewer, user) ? user.email : null };
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The ticket as the viewer reads it through the API (a subset of `Ticket`'s fields, with the same rules). */
function ticketView(viewer: Actor, facts: EntryFacts) {
  const { ticket, business, contact } = facts;
  return {
    id: ticket.globalId,
    number: ticket.number,
    title: ticket.title,
    description: ticket.description,
    status: ticket.status,
    priority: ticket.priority,
    channel: ticket.channel,
    version: ticket.version,
    reference: ticket.reference,
    createdAt: iso(ticket.createdAt),
    updatedAt: iso(ticket.updatedAt),
    dueAt: iso(ticket.dueAt),
    resolvedAt: iso(ticket.resolvedAt),
    closedAt: iso(ticket.closedAt),
    resolutionNotes: seesReason(viewer, { reasonInternal: ticket.resolutionNotesInternal }) ? ticket.resolutionNotes : null,
    submitterName: ticket.submitterName,
    submitterEmail: ticket.submitterEmail,
    business: business && businessRule(viewer).allows({ id: business.id }) ? { id: business.globalId, name: business.name, domain: business.domain } : null,
    contact:
      contact && contactRule(viewer).allows({ businessId: contact.business.id }) ? { id: contact.globalId, name: contact.name, email: contact.email } : null,
    assignee: userView(viewer, ticket.assignee ? facts.users.get(ticket.assignee.id) : undefined),
    tags: [...facts.tags],
  };
}

/**
 * The `data` of an entry's message for one viewer, or null when the viewer may not see the entry (an
 * internal comment or entry for an endpoint without includeInternal): then nothing is sent at all.
 */
export function entryMessageData(viewer: Actor, facts: EntryFacts): Record<string, unknown> | null {
  const { entry, ticket, comment } = facts;
  const onTicket = { businessId: ticket.business?.id ?? null };
  if (!timelineRule(viewer).allows({ ticket: onTicket, isInternal: entry.isInternal })) return null;
  if (comment && !commentRule(viewer).allows({ ticket: onTicket, isInternal: comment.isInternal })) return null;
  return {
    ticket: ticketView(viewer, facts),
    entry: {
      id: entry.globalId,
      type: entry.type,
      at: iso(entry.createdAt),
      actor: userView(viewer, entry.actor ? facts.users.get(entry.actor.id) : undefined),
      fromStatus: entry.fromStatus,
      toStatus: entry.toStatus,
      reason: seesReason(viewer, entry) ? entry.reason : null,
      isInternal: entry.isInternal,
      ticketVersion: entry.ticketVersion,
      details: entry.details,
      comment: comment && {
        id: comment.globalId,
        body: comment.body,
        isInternal: comment.isInternal,
        authorName: comment.authorName,
        createdAt: iso(comment.createdAt),
      },
    },
  };
}
