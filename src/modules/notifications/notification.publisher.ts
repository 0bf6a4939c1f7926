import type { EventArgs, EventSubscriber, TransactionEventArgs } from '@mikro-orm/core';
import type { Knex } from '@mikro-orm/postgresql';
import { NOTIFICATION_TOPIC, type NotificationMessage, type PubSub } from '../realtime/pubsub';
import { Notification } from './notification.entity';

function rootOf(transaction: Knex.Transaction): Knex.Transaction {
  return transaction.parentTransaction ? rootOf(transaction.parentTransaction) : transaction;
}

/**
 * Announces each in-app notification once the transaction that made it commits (never one that rolls
 * back), on every instance (Redis when configured): the recipient's `notificationAdded` subscriptions
 * read it by id. Only ids cross: the row is read under the subscriber's own access.
 */
export class NotificationPublisher implements EventSubscriber<Notification> {
  private readonly made = new WeakMap<Knex.Transaction, NotificationMessage[]>();

  constructor(private readonly pubSub: PubSub) {}

  getSubscribedEntities() {
    return [Notification];
  }

  afterCreate({ entity, em }: EventArgs<Notification>): void {
    const message = { recipientId: entity.recipient.id, notificationId: entity.id };
    const transaction = em.getTransactionContext<Knex.Transaction>();
    if (!transaction) return this.pubSub.publish(NOTIFICATION_TOPIC, message);
    const root = rootOf(transaction);
    const list = this.made.get(root);
    if (list) list.push(message);
    else this.made.set(root, [message]);
  }

  afterTransactionCommit({ transaction }: TransactionEventArgs): void {
    const list = transaction && this.made.get(transaction as Knex.Transaction);
    if (!list) return;
    this.made.delete(transaction as Knex.Transaction);
    for (const message of list) this.pubSub.publish(NOTIFICATION_TOPIC, message);
  }

  afterTransactionRollback({ transaction }: TransactionEventArgs): void {
    if (transaction) this.made.delete(transaction as Knex.Transaction);
  }
}
