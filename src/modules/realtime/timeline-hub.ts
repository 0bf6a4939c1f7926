import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Context } from '../../context';
import { fromGlobalId } from '../../shared/global-id';
import { Comment } from '../comments/comment.entity';
import { TicketEvent } from '../tickets/ticket-event.entity';
import type { Ticket } from '../tickets/ticket.entity';
import { TIMELINE_TOPIC, type PubSub, type TimelineMessage } from './pubsub';
import { canSee } from './subscriber-access';
import { TimelineFeed } from './timeline-feed';

/** One committed timeline entry with what every subscription payload is made of. */
export interface LoadedEntry {
  event: TicketEvent;
  ticket: Ticket;
  comment: Comment | null;
}

/**
 * Builds a payload once per entry, whoever receives it. Subscribers then share the payload object,
 * and with it the execution of their selection (see shared-execution.ts).
 */
export function perEntry<T extends object>(build: (entry: LoadedEntry) => T): (entry: LoadedEntry) => T {
  const built = new WeakMap<LoadedEntry, T>();
  return (entry) => {
    let payload = built.get(entry);
    if (!payload) {
      payload = build(entry);
      built.set(entry, payload);
    }
    return payload;
  };
}

/**
 * The one listener of this instance on the timeline topic. Each published entry is read once, however
 * many subscribers there are (with 5,000 connected agents a status change costs one read, not 5,000),
 * then offered in publication order to every subscription's feed, which applies that subscriber's
 * access (the same pure policies as queries) and filter. The rows are read without any viewer's
 * scope, so they reach a client only through those policies.
 */
export class TimelineHub {
  private readonly feeds = new Set<Pick<TimelineFeed<unknown>, 'offer' | 'return'>>();
  private readonly source: AsyncIterator<TimelineMessage>;
  /** Entries are read in parallel but offered in order: each offer waits for the one before. */
  private offered: Promise<void> = Promise.resolve();
  private readonly running: Promise<void>;

  constructor(
    private readonly orm: MikroORM,
    pubSub: PubSub,
    private readonly logger: Logger,
  ) {
    this.source = pubSub.subscribe(TIMELINE_TOPIC)[Symbol.asyncIterator]();
    this.running = this.run();
  }

  /** A feed of what `ctx`'s subscriber may see, mapped by `select` (null: not for this subscriber). */
  feed<T>(ctx: Context, select: (entry: LoadedEntry) => T | null): AsyncIterableIterator<T> {
    const feed: TimelineFeed<T> = new TimelineFeed(ctx, (entry) => (canSee(ctx.actor, entry) ? select(entry) : null), () => this.feeds.delete(feed));
    this.feeds.add(feed);
    return feed;
  }

  /** Ends every feed and stops listening. */
  async stop(): Promise<void> {
    for (const feed of [...this.feeds]) void feed.return();
    await this.source.return?.();
    await this.running;
    await this.offered;
  }

  private async run(): Promise<void> {
    for (;;) {
      const next = await this.source.next();
      if (next.done) return;
      // Nobody listening: nothing to read (a feed that starts later begins after this entry anyway).
      if (this.feeds.size === 0) continue;
      const entry = this.read(next.value).catch((error: unknown) => {
        this.logger.error({ err: error, eventId: next.value.eventId }, 'could not load a timeline entry for subscribers');
        return null;
      });
      this.offered = this.offered.then(async () => {
        const loaded = await entry;
        if (loaded) this.offer(loaded);
      });
    }
  }

  private offer(entry: LoadedEntry): void {
    for (const feed of this.feeds) {
      try {
        feed.offer(entry);
      } catch (error) {
        // One subscriber's failure must not cost the others this entry (nor the chain of later ones).
        this.logger.error({ err: error, eventId: entry.event.id }, 'could not offer a timeline entry to a subscriber');
      }
    }
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
