import type { EntityManager } from '@mikro-orm/postgresql';
import type { TicketEvent } from '../tickets/ticket-event.entity';

/**
 * A named reader of the timeline that keeps its place in `feed_checkpoint` (see consumers.ts, which
 * runs it). Entries come in position order, each batch once: `apply` runs in the transaction that
 * also moves the checkpoint past the batch, so what it writes to the database is applied exactly once;
 * if it throws, nothing of the batch is kept and the batch is tried again later, with backoff.
 */
export interface FeedConsumer {
  /** Stable and unique: the key of the consumer's checkpoint row. */
  readonly name: string;
  /** Entries per batch (default 500). */
  readonly batchSize?: number;
  /** Entries come with their ticket and actor as references (ids only): load what is needed. */
  apply(em: EntityManager, entries: readonly TicketEvent[]): Promise<void>;
}
