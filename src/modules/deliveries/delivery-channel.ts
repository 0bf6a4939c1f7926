import type { EntityManager } from '@mikro-orm/postgresql';
import type { Delivery, DeliveryChannelName } from './delivery.entity';

/** How one attempt went. */
export interface AttemptResult {
  ok: boolean;
  /** The receiver's answer: an HTTP status, or an SMTP reply code. */
  responseCode?: number;
  error?: string;
  durationMs?: number;
  /** The receiver refused for good (HTTP 410, SMTP 5xx): no retry. */
  permanent?: boolean;
  /** Not attempted: the channel found it must not be sent (its recipient unsubscribed, bounced...); `error` says why. */
  cancelled?: boolean;
}

/** A way of sending deliveries outward; the dispatcher claims, retries and records, the channel sends. */
export interface DeliveryChannel {
  readonly channel: DeliveryChannelName;
  /** Sends one attempt. It must end well within the claim (DELIVERY_LEASE_SECONDS), or it is sent twice. */
  send(em: EntityManager, delivery: Delivery): Promise<AttemptResult>;
  /** Seconds from a failed attempt to the next, `attempts` attempts made so far; null: give up. */
  retryDelaySeconds(attempts: number): number | null;
  /** Runs after an attempt's outcome is recorded, in the same transaction (disable an endpoint on a 410...). */
  afterAttempt?(em: EntityManager, delivery: Delivery, result: AttemptResult): Promise<void>;
}
