import type { EntityManager } from '@mikro-orm/postgresql';
import { TicketEvent } from '../tickets/ticket-event.entity';

/**
 * The position below which every timeline entry is decided: committed and visible to any statement
 * that starts after this one, or rolled back for good (see Migration20261206060000_feed_positions).
 * It never goes down. Read it outside a REPEATABLE READ transaction, whose older snapshot would not
 * see what committed since it began.
 */
export async function timelineWatermark(em: EntityManager): Promise<bigint> {
  const [row] = await em.execute<{ watermark: string }[]>('select timeline_watermark()::text as watermark');
  return BigInt(row.watermark);
}

/**
 * Up to `limit` entries after position `after` and below `below` (a watermark read before this
 * statement), in position order, with what `populate` names loaded (otherwise only referenced). Read
 * in that order from `after` up to a watermark, the timeline is read whole: nothing that commits later
 * can land behind the reader.
 */
export function entriesBetween(em: EntityManager, after: bigint, below: bigint, limit: number, populate: ('ticket' | 'actor')[] = []): Promise<TicketEvent[]> {
  return em.find(TicketEvent, { position: { $gt: after.toString(), $lt: below.toString() } }, { orderBy: { position: 'asc' }, limit, populate });
}
