import type { FeedConsumer } from '../feed/feed-consumer';
import { Ticket } from '../tickets/ticket.entity';
import { draftsFor, NOTIFYING_ENTRIES } from './notification-rules';
import type { Notifier } from './notifier';

/** The consumer's name: its checkpoint's key (Migration20261206110000_notifications starts it at the watermark). */
export const NOTIFICATION_CONSUMER = 'notifications';

/**
 * Decides staff notifications from the timeline, in the batch's transaction: each entry notifies once
 * (the feed's exactly-once), in-app rows and mails (outbox) alike. Tickets are read once per batch.
 */
export function notificationConsumer(notifier: Notifier): FeedConsumer {
  return {
    name: NOTIFICATION_CONSUMER,
    async apply(em, entries) {
      const relevant = entries.filter((entry) => NOTIFYING_ENTRIES.includes(entry.type));
      if (relevant.length === 0) return;
      const tickets = new Map((await em.find(Ticket, { id: { $in: [...new Set(relevant.map((entry) => entry.ticket.id))] } })).map((t) => [t.id, t]));
      const drafts = relevant.flatMap((entry) => {
        const ticket = tickets.get(entry.ticket.id);
        return ticket ? draftsFor(entry, ticket) : [];
      });
      await notifier.deliver(em, drafts);
    },
  };
}
