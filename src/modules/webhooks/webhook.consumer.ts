import type { EntityManager } from '@mikro-orm/postgresql';
import { fromGlobalId } from '../../shared/global-id';
import { Business } from '../businesses/business.entity';
import { Contact } from '../businesses/contact.entity';
import { Comment } from '../comments/comment.entity';
import { enqueueDeliveries, type NewDelivery } from '../deliveries/outbox';
import type { FeedConsumer } from '../feed/feed-consumer';
import { TicketEventType, type TicketEvent } from '../tickets/ticket-event.entity';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { webhookEventTypeOf } from './webhook-event-type';
import { endpointViewer, entryMessageData, storedPayload, type EntryFacts, type WebhookMessage } from './webhook-message';

/** The dedup key of an entry's message to an endpoint: a batch applied twice makes one delivery. */
const entryDedupKey = (endpointId: string, entryId: string) => `webhook:${endpointId}:${entryId}`;

async function byId<T extends { id: string }>(em: EntityManager, entity: new (...args: never[]) => T, ids: Iterable<string>): Promise<Map<string, T>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const rows = await em.find(entity as never, { id: { $in: wanted } } as never);
  return new Map((rows as T[]).map((row) => [row.id, row]));
}

/** What the entries' messages are made of, a few statements per batch whatever its size. */
async function loadFacts(em: EntityManager, entries: readonly TicketEvent[]): Promise<Map<string, EntryFacts>> {
  const tickets = await em.find(Ticket, { id: { $in: [...new Set(entries.map((entry) => entry.ticket.id))] } }, { populate: ['tags'] });
  const ticketsById = new Map(tickets.map((ticket) => [ticket.id, ticket]));
  const commentIdOf = (entry: TicketEvent) =>
    entry.type === TicketEventType.COMMENTED && typeof entry.details.comment === 'string' ? (fromGlobalId(entry.details.comment)?.id ?? null) : null;
  const comments = await byId(em, Comment, entries.map(commentIdOf).filter((id): id is string => id !== null));
  const businesses = await byId(em, Business, tickets.flatMap((ticket) => (ticket.business ? [ticket.business.id] : [])));
  const contacts = await byId(em, Contact, tickets.flatMap((ticket) => (ticket.contact ? [ticket.contact.id] : [])));
  const users = await byId(em, User, [
    ...tickets.flatMap((ticket) => (ticket.assignee ? [ticket.assignee.id] : [])),
    ...entries.flatMap((entry) => (entry.actor ? [entry.actor.id] : [])),
  ]);
  const facts = new Map<string, EntryFacts>();
  for (const entry of entries) {
    const ticket = ticketsById.get(entry.ticket.id)!;
    const commentId = commentIdOf(entry);
    facts.set(entry.id, {
      entry,
      ticket,
      comment: commentId ? (comments.get(commentId) ?? null) : null,
      business: ticket.business ? (businesses.get(ticket.business.id) ?? null) : null,
      contact: ticket.contact ? (contacts.get(ticket.contact.id) ?? null) : null,
      tags: ticket.tags.getItems().map((tag) => tag.name),
      users,
    });
  }
  return facts;
}

/**
 * The timeline consumer 'webhooks': for each entry, one delivery per enabled endpoint that subscribes
 * to its event type, existed when it was made and may see it, with the message composed now for that
 * endpoint. The deliveries are inserted in the batch's transaction, so each is decided exactly once
 * (and sent at least once by the dispatcher).
 */
export const webhookConsumer: FeedConsumer = {
  name: 'webhooks',
  async apply(em, entries) {
    const endpoints = await em.find(WebhookEndpoint, { disabledAt: null });
    const subscribers = (entry: TicketEvent) => {
      const type = webhookEventTypeOf(entry.type);
      // An endpoint hears of changes made after it was created, not of older ones the consumer reads late.
      return type ? endpoints.filter((endpoint) => endpoint.events.includes(type) && entry.createdAt >= endpoint.createdAt) : [];
    };
    const wanted = entries.filter((entry) => subscribers(entry).length > 0);
    if (wanted.length === 0) return;
    const facts = await loadFacts(em, wanted);
    const deliveries: NewDelivery[] = [];
    for (const entry of wanted) {
      for (const endpoint of subscribers(entry)) {
        const data = entryMessageData(endpointViewer(endpoint), facts.get(entry.id)!);
        if (!data) continue;
        const message: WebhookMessage = { type: webhookEventTypeOf(entry.type)!, timestamp: entry.createdAt.toISOString(), data };
        deliveries.push({
          channel: 'WEBHOOK',
          target: endpoint.id,
          ticketId: entry.ticket.id,
          dedupKey: entryDedupKey(endpoint.id, entry.id),
          payload: storedPayload({ message, internal: endpoint.includeInternal }),
        });
      }
    }
    await enqueueDeliveries(em, deliveries);
  },
};
