import type { EventArgs, EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import { TicketEvent } from '../tickets/ticket-event.entity';
import { TIMELINE_TOPIC, type PubSub, type TimelineMessage } from './pubsub';
import { TIMELINE_LOCK } from '../../db/locks';

/**
 * The outermost transaction: a nested one (a savepoint) commits with it, and only the outermost one
 * fires the commit hooks. MikroORM links a savepoint to its parent under a private symbol.
 */
function rootOf(transaction: object): object {
  const parent = Object.getOwnPropertySymbols(transaction).find((symbol) => symbol.description === 'parentTransaction');
  return parent ? rootOf((transaction as Record<symbol, object>)[parent]) : transaction;
}


/**
 * Keeps the timeline in commit order and publishes it after commit.
 *
 * Before a transaction inserts its first entry it takes one advisory lock, held until it ends, so
 * entry positions (a sequence) are handed out in commit order: a client resuming after position P
 * can never miss an entry that commits later with a smaller position. Entries wait, keyed by their
 * transaction, and are published once it commits (dropped if it rolls back), so a subscriber never
 * hears of a change that did not happen.
 */
export class TimelinePublisher implements EventSubscriber<TicketEvent> {
  private readonly pending = new WeakMap<object, TimelineMessage[]>();

  constructor(private readonly pubSub: PubSub) {}

  getSubscribedEntities() {
    return [TicketEvent];
  }

  async beforeCreate({ em }: EventArgs<TicketEvent>): Promise<void> {
    const transaction = em.getTransactionContext<object>();
    if (!transaction || this.pending.has(rootOf(transaction))) return;
    this.pending.set(rootOf(transaction), []);
    await em.getConnection().execute('select pg_advisory_xact_lock(?)', [TIMELINE_LOCK], 'all', transaction as never);
  }

  afterCreate({ entity, em }: EventArgs<TicketEvent>): void {
    const message: TimelineMessage = {
      eventId: entity.id,
      ticketId: entity.ticket.id,
      type: entity.type,
      position: entity.position,
      commentId: typeof entity.details.comment === 'string' ? entity.details.comment : null,
    };
    const transaction = em.getTransactionContext<object>();
    if (!transaction) {
      this.pubSub.publish(TIMELINE_TOPIC, message);
      return;
    }
    this.pending.get(rootOf(transaction))?.push(message);
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
