import type { MikroORM } from '@mikro-orm/postgresql';
import { Comment } from '../comments/comment.entity';
import { fromGlobalId } from '../../shared/global-id';
import { TicketEvent } from '../tickets/ticket-event.entity';
import type { Ticket } from '../tickets/ticket.entity';
import type { TimelineMessage } from './pubsub';

/** One committed timeline entry with what every subscription payload is made of. */
export interface LoadedEntry {
  event: TicketEvent;
  ticket: Ticket;
  comment: Comment | null;
}

/** How long a loaded entry is kept for the other subscribers of the same message. */
const KEEP_MS = 10_000;

/**
 * Loads each published entry once per instance, however many subscribers receive it: with 5,000
 * connected agents a status change costs one read, not 5,000. Access is then decided per subscriber
 * by the pure policies, on the loaded rows. The rows are read without any viewer's scope, so they
 * must only reach a client through those policies.
 */
export class TimelineLoader {
  private readonly entries = new Map<string, Promise<LoadedEntry | null>>();

  constructor(private readonly orm: MikroORM) {}

  load(message: TimelineMessage): Promise<LoadedEntry | null> {
    let entry = this.entries.get(message.eventId);
    if (!entry) {
      entry = this.read(message);
      this.entries.set(message.eventId, entry);
      setTimeout(() => this.entries.delete(message.eventId), KEEP_MS).unref();
    }
    return entry;
  }

  private async read(message: TimelineMessage): Promise<LoadedEntry | null> {
    const em = this.orm.em.fork();
    const event = await em.findOne(TicketEvent, { id: message.eventId }, { populate: ['ticket', 'actor'] });
    if (!event) return null;
    const commentId = message.commentId ? fromGlobalId(message.commentId)?.id : undefined;
    const comment = commentId ? await em.findOne(Comment, { id: commentId }) : null;
    return { event, ticket: event.ticket, comment };
  }
}
