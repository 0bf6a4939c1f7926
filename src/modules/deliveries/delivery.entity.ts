import { Entity, Enum, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/base.entity';
import { Ticket } from '../tickets/ticket.entity';

export type DeliveryChannelName = 'MAIL' | 'WEBHOOK';

export enum DeliveryStatus {
  /** Waiting for its next attempt (or being attempted: `nextAttemptAt` is then the end of the claim). */
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  /** Given up: permanently refused, or out of retries. */
  FAILED = 'FAILED',
  /**
   * Dropped before it was sent, `lastError` saying why: its endpoint deleted; for mail, over the cap, or
   * a recipient that unsubscribed, bounced, or must never get mail (our own address, a mailer-daemon).
   */
  CANCELLED = 'CANCELLED',
}

/**
 * One message to send outward, and how its attempts went. Its id is stable across retries and
 * redeliveries, so a receiver can recognise a repeat (a webhook's `webhook-id`).
 */
@Entity({ tableName: 'delivery' })
export class Delivery extends BaseEntity<'status' | 'attempts' | 'nextAttemptAt' | 'lastAttemptAt' | 'lastError' | 'responseCode' | 'durationMs' | 'deliveredAt' | 'ticket'> {
  @Property({ type: 'string', length: 16 })
  channel!: DeliveryChannelName;

  /** An email address, or a webhook endpoint's id. */
  @Property({ length: 320 })
  target!: string;

  @ManyToOne(() => Ticket, { nullable: true, deleteRule: 'set null' })
  ticket: Ticket | null = null;

  /** What the delivery is about, for its sender: a second delivery with the same key is not made. */
  @Property({ length: 300 })
  dedupKey!: string;

  /** Everything the channel needs to send it, composed when it was decided. */
  @Property({ type: 'json' })
  payload!: Record<string, unknown>;

  @Enum({ items: () => DeliveryStatus, type: 'text' })
  status: DeliveryStatus = DeliveryStatus.PENDING;

  @Property()
  attempts = 0;

  @Property({ type: 'timestamptz' })
  nextAttemptAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  lastAttemptAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;

  @Property({ nullable: true })
  responseCode: number | null = null;

  @Property({ nullable: true })
  durationMs: number | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  deliveredAt: Date | null = null;
}
