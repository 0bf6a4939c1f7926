import type { EventArgs, EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import { TicketEvent } from '../tickets/ticket-event.entity';
import { TIMELINE_TOPIC, type PubSub, type TimelineMessage } from './pubsub';

/**
 * Publishes timeline entries once their transaction has committed: entries inserted during a
 * transaction wait, keyed by that transaction, and are dropped if it rolls back. So a subscriber
 * never hears of a change that did not happen.
 */
export class TimelinePublisher implements EventSubscriber<TicketEvent> {
  private readonly pending = new WeakMap<object, TimelineMessage[]>();

  constructor(private readonly pubSub: PubSub) {}

  getSubscribedEntities() {
    return [TicketEvent];
  }

  afterCreate({ entity, em }: EventArgs<TicketEvent>): void {
    const message: TimelineMessage = {
      eventId: entity.id,
      ticketId: entity.ticket.id,
      type: entity.type,
      commentId: typeof entity.details.comment === 'string' ? entity.details.comment : null,
    };
    const transaction = em.getTransactionContext();
    if (!transaction) {
      this.pubSub.publish(TIMELINE_TOPIC, message);
      return;
    }
    this.pending.set(transaction, [...(this.pending.get(transaction) ?? []), message]);
  }

  afterTransactionCommit({ transaction }: TransactionEventArgs): void {
    if (!transaction) return;
    for (const message of this.pending.get(transaction) ?? []) this.pubSub.publish(TIMELINE_TOPIC, message);
    this.pending.delete(transaction);
  }

  afterTransactionRollback({ transaction }: TransactionEventArgs): void {
    if (transaction) this.pending.delete(transaction);
  }
}
