import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Context } from '../../context';
import { fromGlobalId } from '../../shared/global-id';
import { Comment } from '../comments/comment.entity';
import { TicketEvent } from '../tickets/ticket-event.entity';
import type { Ticket } from '../tickets/ticket.entity';
import { TIMELINE_TOPIC, type PubSub, type TimelineMessage } from './pubsub';
import { canSee } from './subscriber-access';
import { SlicedFanOut } from './sliced-fan-out';
import { TimelineFeed } from './timeline-feed';
import { entriesBetween, timelineWatermark } from '../feed/feed-reader';

/** One committed timeline entry with what every subscription payload is made of. */
export interface LoadedEntry {
  event: TicketEvent;
  ticket: Ticket;
  comment: Comment | null;
}

/**
 * Builds a payload once per entry, whoever receives it. Subscribers then share the payload object,
 * and with it the execution of their selection (see shared-subscriptions.ts).
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

/** Entries read per statement while catching up. */
const PAGE = 500;
/** How long the hub waits, at first and at most, for an older transaction that holds the watermark back. */
const FIRST_RETRY_MS = 5;
const LAST_RETRY_MS = 500;

/**
 * The one reader of the timeline on this instance. It reads the entries by position, up to the
 * watermark (feed/feed-reader.ts), so it offers them in commit order and never passes one that commits
 * later; each entry is read once, however many subscribers there are (with 5,000 connected agents a
 * status change costs one read, not 5,000), then offered to every feed, which applies its subscriber's
 * access (the same pure policies as queries) and filter. Subscribers with the same query, variables and
 * access class share one feed (shared-subscriptions.ts). The rows are read without any viewer's scope,
 * so they reach a client only through those policies.
 *
 * Messages from the publishers (the highest position a commit wrote) only say how far to read. While
 * nobody listens, the hub reads nothing; the first feed makes it start from the watermark of then.
 */
type Feed = Pick<TimelineFeed<unknown>, 'offer' | 'return'>;

export class TimelineHub {
  private readonly feeds = new Set<Feed>();
  /** Hands each entry to the feeds a slice per turn of the event loop, so a storm of deliveries does not starve requests. */
  private readonly fanOut = new SlicedFanOut<LoadedEntry, Feed>(() => [...this.feeds], (feed, entry) => this.offerTo(feed, entry));
  private readonly source: AsyncIterator<TimelineMessage>;
  private readonly running: Promise<void>;
  /** Every entry at or below it has been offered; null while nobody listens. */
  private position: bigint | null = null;
  /** The highest position a commit has announced. */
  private target = 0n;
  private reading: Promise<void> | null = null;
  /** Waiting for the position the hub starts from (see coveredAfter). */
  private starting: ((position: bigint) => void)[] = [];

  constructor(
    private readonly orm: MikroORM,
    pubSub: PubSub,
    private readonly logger: Logger,
  ) {
    this.source = pubSub.subscribe(TIMELINE_TOPIC)[Symbol.asyncIterator]();
    this.running = this.listen();
  }

  /** A feed of what `ctx`'s subscriber may see, mapped by `select` (null: not for this subscriber). */
  feed<T>(ctx: Context, select: (entry: LoadedEntry) => T | null): TimelineFeed<T> {
    const feed: TimelineFeed<T> = new TimelineFeed((entry) => (canSee(ctx.actor, entry) ? select(entry) : null), () => this.drop(feed));
    this.feeds.add(feed);
    if (this.position === null) this.read();
    return feed;
  }

  /** Without feeds the hub goes idle (a running read makes it so when it ends): the next feed starts afresh. */
  private drop(feed: Feed): void {
    this.feeds.delete(feed);
    if (this.feeds.size === 0 && !this.reading) this.position = null;
  }

  /**
   * A position after which every entry will be offered to the feeds registered so far: a replay that
   * reads up to a watermark taken after this resolves meets the live feed without a gap.
   */
  coveredAfter(): Promise<bigint> {
    if (this.position !== null) return Promise.resolve(this.position);
    return new Promise((resolve) => this.starting.push(resolve));
  }

  /**
   * Resolves once no read is under way and every entry read has been handed to the feeds: what the
   * hub does for commits announced so far has ended (a test counts statements between such points).
   */
  async settled(): Promise<void> {
    while (this.reading) await this.reading;
    await this.fanOut.drained();
  }

  /** Ends every feed and stops listening. */
  async stop(): Promise<void> {
    for (const feed of [...this.feeds]) void feed.return();
    await this.source.return?.();
    await this.running;
    await this.reading;
    await this.fanOut.drained();
  }

  private async listen(): Promise<void> {
    for (;;) {
      const next = await this.source.next();
      if (next.done) return;
      const position = BigInt(next.value.position);
      if (position > this.target) this.target = position;
      if (this.feeds.size > 0 && (this.position === null || position > this.position)) this.read();
    }
  }

  /** Reads up to the announced target (one reader at a time; a new target extends the running one). */
  private read(): void {
    this.reading ??= this.catchUp().then(
      () => this.afterReading(true),
      (error: unknown) => {
        this.logger.error({ err: error }, 'could not read the timeline for subscribers');
        // The next announcement tries again.
        this.afterReading(false);
      },
    );
  }

  private afterReading(succeeded: boolean): void {
    this.reading = null;
    if (this.feeds.size === 0) this.position = null;
    // A first feed, or a commit announced, after the last look.
    else if (succeeded && (this.position === null || this.target > this.position)) this.read();
  }

  private async catchUp(): Promise<void> {
    for (let retry = FIRST_RETRY_MS; ; retry = Math.min(retry * 2, LAST_RETRY_MS)) {
      if (this.feeds.size === 0) return;
      const em = this.orm.em.fork();
      const watermark = await timelineWatermark(em);
      if (this.position === null) {
        this.position = watermark - 1n;
        for (const resolve of this.starting.splice(0)) resolve(this.position);
      } else {
        await this.offerBelow(em, watermark);
      }
      // Announced entries behind an older transaction of the database still running: wait for it.
      if (this.target < watermark) return;
      await new Promise((resolve) => setTimeout(resolve, retry));
    }
  }

  private async offerBelow(em: EntityManager, watermark: bigint): Promise<void> {
    for (;;) {
      const events = await entriesBetween(em, this.position!, watermark, PAGE, ['ticket', 'actor']);
      const comments = await commentsOf(em, events);
      for (const event of events) this.fanOut.push({ event, ticket: event.ticket, comment: comments.get(event) ?? null });
      if (events.length < PAGE) break;
      this.position = BigInt(events[events.length - 1].position);
    }
    this.position = watermark - 1n;
  }

  private offerTo(feed: Feed, entry: LoadedEntry): boolean {
    try {
      return feed.offer(entry);
    } catch (error) {
      // One subscriber's failure must not cost the others this entry.
      this.logger.error({ err: error, eventId: entry.event.id }, 'could not offer a timeline entry to a subscriber');
      return false;
    }
  }
}

/** The comments that COMMENTED entries name, in one statement. */
async function commentsOf(em: EntityManager, events: TicketEvent[]): Promise<Map<TicketEvent, Comment>> {
  const idOf = (event: TicketEvent) => (typeof event.details.comment === 'string' ? fromGlobalId(event.details.comment)?.id : undefined);
  const ids = events.map(idOf).filter((id): id is string => id !== undefined);
  if (ids.length === 0) return new Map();
  const byId = new Map((await em.find(Comment, { id: { $in: ids } })).map((comment) => [comment.id, comment]));
  return new Map(events.flatMap((event) => {
    const comment = byId.get(idOf(event) ?? '');
    return comment ? [[event, comment] as const] : [];
  }));
}
