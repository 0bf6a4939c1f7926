import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { DeliveryStatus } from '../deliveries/delivery.entity';
import type { WebhookDisabledReason, WebhookEndpoint } from './webhook-endpoint.entity';

/**
 * Stops an endpoint: it is marked disabled with its reason, and its deliveries still waiting are
 * cancelled (all but `keepDeliveryId`, the one whose outcome is being recorded). Runs in the caller's
 * transaction. Disabling by the system (410, five days failing) is logged at warn level as
 * "webhook endpoint disabled", for admins to be told.
 */
export async function disableEndpoint(
  em: EntityManager,
  endpoint: WebhookEndpoint,
  reason: WebhookDisabledReason,
  logger?: Logger,
  keepDeliveryId?: string,
): Promise<void> {
  const now = new Date();
  endpoint.disabledAt = now;
  endpoint.disabledReason = reason;
  endpoint.updatedAt = now;
  await em.execute(
    `update delivery set status = ? where channel = 'WEBHOOK' and target = ? and status = ?${keepDeliveryId ? ' and id <> ?' : ''}`,
    [DeliveryStatus.CANCELLED, endpoint.id, DeliveryStatus.PENDING, ...(keepDeliveryId ? [keepDeliveryId] : [])],
  );
  logger?.warn({ webhookEndpoint: endpoint.globalId, url: endpoint.url, reason }, 'webhook endpoint disabled');
}
