import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import { DeliveryStatus, type DeliveryChannelName } from './delivery.entity';

export interface NewDelivery {
  channel: DeliveryChannelName;
  target: string;
  ticketId?: string | null;
  /** What the delivery is about: deciding the same key twice makes one delivery. */
  dedupKey: string;
  payload: Record<string, unknown>;
  /** The first attempt's time (default now). */
  notBefore?: Date;
  /** Decided but not to be sent (over a cap...): recorded as CANCELLED with this reason. */
  cancelled?: string;
}

/**
 * Decides deliveries in the caller's transaction: they exist if and only if it commits. Inserted with
 * `on conflict do nothing`, so deciding again (a batch retried, a job run on two instances) adds nothing.
 * Returns the ids of the rows made (the others existed).
 */
export async function enqueueDeliveries(em: EntityManager, deliveries: readonly NewDelivery[]): Promise<string[]> {
  if (deliveries.length === 0) return [];
  const now = new Date();
  const rows = deliveries.map((delivery) => ({
    id: uuidv7(),
    channel: delivery.channel,
    target: delivery.target,
    ticket_id: delivery.ticketId ?? null,
    dedup_key: delivery.dedupKey,
    payload: JSON.stringify(delivery.payload),
    next_attempt_at: delivery.notBefore ?? now,
    status: delivery.cancelled === undefined ? DeliveryStatus.PENDING : DeliveryStatus.CANCELLED,
    last_error: delivery.cancelled ?? null,
    created_at: now,
  }));
  const made = await em.execute<{ id: string }[]>(em.getKnex().insert(rows).into('delivery').onConflict('dedup_key').ignore().returning('id'));
  return made.map((row) => row.id);
}
