import type { EntityManager } from '@mikro-orm/postgresql';
import { childPageLoaders } from '../../shared/child-pages';
import type { Actor } from '../users/auth/actor';
import { canAdminister } from '../users/user.policy';
import { Delivery } from '../deliveries/delivery.entity';

/**
 * Pages of each webhook endpoint's deliveries, newest first, for many endpoints in one statement.
 * Only admins see any: for anyone else the condition is false, whatever endpoint object reached them.
 */
export function createWebhookLoaders(em: EntityManager, actor: Actor) {
  const admin = canAdminister(actor);
  const deliveries = childPageLoaders(em, {
    entity: Delivery,
    table: 'delivery',
    parentColumn: 'target',
    parentProperty: 'target',
    parentType: 'text',
    newestFirst: true,
    visibility: (alias) => ({ sql: admin ? `${alias}.channel = 'WEBHOOK'` : 'false', bindings: [] }),
  });
  return { webhookDeliveryPages: deliveries.pages };
}
