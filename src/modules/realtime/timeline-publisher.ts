import type { EventArgs, EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/postgresql';
import { TicketEvent } from '../tickets/ticket-event.entity';
import { TIMELINE_TOPIC, type PubSub } from './pubsub';

/** The outermost transaction: a savepoint commits with it, and only the outermost one fires the commit hooks. */
function rootOf(transaction: Knex.Transaction): Knex.Transaction {
  return transaction.parentTransaction ? rootOf(transaction.parentTransaction) : transaction;
}

/**
 * Tells every instance, after a transaction commits, the highest timeline position it wrote, so that
 * their hubs read the new entries (see TimelineHub). The message is a wake-up, not the data: readers
 * read by position below the watermark (feed/feed-reader.ts), which is what keeps them in commit order,
 * so writers take no lock here. A transaction that rolls back publishes nothing.
 */
export class TimelinePublisher implements EventSubscriber<TicketEvent> {
  /** The highest position each open outermost transaction has written. */
  private readonly written = new WeakMap<Knex.Transaction, bigint>();

  constructor(private readonly pubSub: PubSub) {}

  getSubscribedEntities() {
    return [TicketEvent];
  }

  afterCreate({ entity, em }: EventArgs<TicketEvent>): void {
    const position = BigInt(entity.position);
    const transaction = em.getTransactionContext<Knex.Transaction>();
    if (!transaction) return this.publish(position);
    const root = rootOf(transaction);
    const highest = this.written.get(root);
    if (highest === undefined || position > highest) this.written.set(root, position);
  }

  afterTransactionCommit({ transaction }: TransactionEventArgs): void {
    const highest = transaction && this.written.get(transaction as Knex.Transaction);
    if (highest === undefined) return;
    this.written.delete(transaction as Knex.Transaction);
    this.publish(highest);
  }

  afterTransactionRollback({ transaction }: TransactionEventArgs): void {
    if (transaction) this.written.delete(transaction as Knex.Transaction);
  }

  private publish(position: bigint): void {
    this.pubSub.publish(TIMELINE_TOPIC, { position: position.toString() });
  }
}
