import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { DeliveryStatus } from '../deliveries/delivery.entity';
import type { WebhookDisabledReason, WebhookEndpoint } from './webhook-endpoint.entity';

/** Cancels an endpoint's messages still waiting, all but `keepDeliveryId` (one whose outcome is being recorded). */
export async function cancelWaitingDeliveries(em: EntityManager, endpointId: string, keepDeliveryId?: string): Promise<void> {
  await em.execute(
    `update delivery set status = ? where channel = 'WEBHOOK' and target = ? and status = ?${keepDeliveryId ? ' and id <> ?' : ''}`,
    [DeliveryStatus.CANCELLED, endpointId, DeliveryStatus.PENDING, ...(keepDeliveryId ? [keepDeliveryId] : [])],
  );
}

/**
 * Stops an endpoint: it is marked disabled with its reason, and its messages still waiting are
 * cancelled. Runs in the caller's transaction. When the system disables it (410, five days failing),
 * the warning "webhook endpoint disabled" is logged (and the channel notifies the admins).
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
  await cancelWaitingDeliveries(em, endpoint.id, keepDeliveryId);
  logger?.warn({ webhookEndpoint: endpoint.globalId, url: endpoint.url, reason }, 'webhook endpoint disabled');
}
