import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { v7 as uuidv7 } from 'uuid';
import type { WebhookSettings } from '../../config';
import { badInput, conflict, notFound } from '../../shared/errors';
import { newestFirst } from '../../shared/newest-first';
import type { Page } from '../../shared/pagination';
import { idOf, optionalText } from '../../shared/validation';
import { AuditAction } from '../audit/audit.enums';
import type { AuditService } from '../audit/audit.service';
import { Delivery, DeliveryStatus } from '../deliveries/delivery.entity';
import { enqueueDeliveries } from '../deliveries/outbox';
import { denied } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import { User } from '../users/user.entity';
import { canAdminister } from '../users/user.policy';
import { cancelWaitingDeliveries, disableEndpoint } from './webhook-disable';
import { WebhookDelivery } from './webhook-delivery';
import { WebhookDisabledReason, WebhookEndpoint } from './webhook-endpoint.entity';
import { PING_TYPE, WebhookEventType } from './webhook-event-type';
import { storedPayload, withheldReason, type WebhookDeliveryPayload, type WebhookMessage } from './webhook-message';
import { generateWebhookSecret } from './webhook-signing';
import { checkWebhookUrl } from './webhook-url';

/** Longest overlap of a rotated-out secret: 7 days. */
export const MAX_SECRET_OVERLAP_SECONDS = 7 * 24 * 3600;
const MAX_DESCRIPTION = 500;

function eventsOf(events: readonly WebhookEventType[]): WebhookEventType[] {
  const unique = [...new Set(events)];
  if (unique.length === 0) throw badInput('Give the endpoint at least one event type.', 'events');
  return unique;
}

/** The host of an endpoint's URL: what the audit log names it by. */
const auditTarget = (webhook: WebhookEndpoint) => ({ type: 'WebhookEndpoint' as const, id: webhook.id, name: new URL(webhook.url).host });

/**
 * Webhook endpoints and their deliveries, for admins only (every method refuses anyone else with
 * FORBIDDEN, UNAUTHENTICATED when anonymous). Input is checked before anything is written; the URL's
 * addresses are checked here and again at every attempt.
 */
export class WebhookService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly audit: AuditService,
    private readonly settings: WebhookSettings,
  ) {}

  private mustAdminister(): void {
    if (!canAdminister(this.actor)) throw denied(this.actor, 'Only admins manage webhooks.');
  }

  /** Every endpoint, newest first. */
  list(args: { first?: number | null; after?: string | null }): Promise<Page<WebhookEndpoint>> {
    this.mustAdminister();
    return newestFirst(this.em, WebhookEndpoint, {}, args);
  }

  /** A new endpoint and its secret (returned this once). */
  async create(input: { url: string; events: WebhookEventType[]; description?: string | null; includeInternal: boolean }): Promise<{ webhook: WebhookEndpoint; secret: string }> {
    this.mustAdminister();
    const events = eventsOf(input.events);
    const description = optionalText(input.description, 'description', MAX_DESCRIPTION);
    const url = await checkWebhookUrl(input.url, this.settings.allowPrivate);
    const secret = generateWebhookSecret();
    const webhook = this.em.create(WebhookEndpoint, {
      url,
      events,
      description,
      includeInternal: input.includeInternal,
      secret,
      createdBy: this.actor.kind === 'user' ? this.em.getReference(User, this.actor.id) : null,
    });
    this.audit.record(this.em, AuditAction.CREATE_WEBHOOK, { target: auditTarget(webhook), details: { url, events, includeInternal: input.includeInternal } });
    await this.em.flush();
    return { webhook, secret };
  }

  async update(input: {
    webhookId: string;
    url?: string | null;
    events?: WebhookEventType[] | null;
    description?: string | null;
    includeInternal?: boolean | null;
    enabled?: boolean | null;
  }): Promise<WebhookEndpoint> {
    this.mustAdminister();
    const id = idOf(input.webhookId, 'WebhookEndpoint', 'webhookId');
    const changes: Partial<Pick<WebhookEndpoint, 'url' | 'events' | 'description' | 'includeInternal'>> = {};
    if (input.events !== undefined && input.events !== null) changes.events = eventsOf(input.events);
    if (input.description !== undefined && input.description !== null) changes.description = optionalText(input.description, 'description', MAX_DESCRIPTION);
    if (input.includeInternal !== undefined && input.includeInternal !== null) changes.includeInternal = input.includeInternal;
    if (input.url !== undefined && input.url !== null) changes.url = await checkWebhookUrl(input.url, this.settings.allowPrivate);
    return this.em.transactional(async (em) => {
      const webhook = await em.findOne(WebhookEndpoint, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!webhook) throw notFound('WebhookEndpoint');
      // Messages composed with internal content are not sent once the endpoint stops receiving it.
      if (webhook.includeInternal && changes.includeInternal === false) await cancelWaitingDeliveries(em, webhook.id);
      em.assign(webhook, changes);
      const details: Record<string, unknown> = { ...changes };
      if (input.enabled === false && webhook.enabled) {
        await disableEndpoint(em, webhook, WebhookDisabledReason.BY_ADMIN);
        details.enabled = false;
      } else if (input.enabled === true && !webhook.enabled) {
        em.assign(webhook, { disabledAt: null, disabledReason: null, failingSince: null });
        details.enabled = true;
      }
      if (Object.keys(details).length > 0) {
        webhook.updatedAt = new Date();
        this.audit.record(em, AuditAction.UPDATE_WEBHOOK, { target: auditTarget(webhook), details });
      }
      return webhook;
    });
  }

  /** Deletes the endpoint; its messages still waiting are cancelled, those sent stay as history. */
  async delete(webhookId: string): Promise<string> {
    this.mustAdminister();
    const id = idOf(webhookId, 'WebhookEndpoint', 'webhookId');
    await this.em.transactional(async (em) => {
      const webhook = await em.findOne(WebhookEndpoint, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!webhook) throw notFound('WebhookEndpoint');
      await cancelWaitingDeliveries(em, id);
      this.audit.record(em, AuditAction.DELETE_WEBHOOK, { target: auditTarget(webhook) });
      em.remove(webhook);
    });
    return webhookId;
  }

  /** A new secret, returned this once; the old one keeps signing beside it for `overlapSeconds`. */
  async rotateSecret(input: { webhookId: string; overlapSeconds: number }, now = new Date()): Promise<{ webhook: WebhookEndpoint; secret: string }> {
    this.mustAdminister();
    const id = idOf(input.webhookId, 'WebhookEndpoint', 'webhookId');
    const overlap = input.overlapSeconds;
    if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_SECRET_OVERLAP_SECONDS) {
      throw badInput(`overlapSeconds must be between 0 and ${MAX_SECRET_OVERLAP_SECONDS} (7 days).`, 'overlapSeconds');
    }
    const secret = generateWebhookSecret();
    const webhook = await this.em.transactional(async (em) => {
      const found = await em.findOne(WebhookEndpoint, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!found) throw notFound('WebhookEndpoint');
      em.assign(found, {
        secret,
        previousSecret: overlap > 0 ? found.secret : null,
        previousSecretExpiresAt: overlap > 0 ? new Date(now.getTime() + overlap * 1000) : null,
        updatedAt: now,
      });
      this.audit.record(em, AuditAction.ROTATE_WEBHOOK_SECRET, { target: auditTarget(found), details: { overlapSeconds: overlap } });
      return found;
    });
    return { webhook, secret };
  }

  /** Queues a PING message to the endpoint now, whatever its events. */
  async test(webhookId: string): Promise<WebhookDelivery> {
    this.mustAdminister();
    const id = idOf(webhookId, 'WebhookEndpoint', 'webhookId');
    return this.em.transactional(async (em) => {
      const webhook = await em.findOne(WebhookEndpoint, { id });
      if (!webhook) throw notFound('WebhookEndpoint');
      if (!webhook.enabled) throw conflict('The endpoint is disabled; enable it first (updateWebhook with enabled: true).');
      const message: WebhookMessage = {
        type: PING_TYPE,
        timestamp: new Date().toISOString(),
        data: { webhook: { id: webhook.globalId, url: webhook.url }, message: 'A test message from Ticketgraph.' },
      };
      const [deliveryId] = await enqueueDeliveries(em, [
        { channel: 'WEBHOOK', target: id, dedupKey: `webhook:${id}:ping:${uuidv7()}`, payload: storedPayload({ message, internal: false }) },
      ]);
      return WebhookDelivery.from(await em.findOneOrFail(Delivery, { id: deliveryId }));
    });
  }

  /**
   * One more attempt of a message, now, with the same `webhook-id`. Its attempts keep counting: if it
   * fails, the rest of the retry schedule (if any is left) follows.
   */
  async redeliver(deliveryId: string): Promise<WebhookDelivery> {
    this.mustAdminister();
    const id = idOf(deliveryId, 'WebhookDelivery', 'deliveryId');
    return this.em.transactional(async (em) => {
      const delivery = await em.findOne(Delivery, { id, channel: 'WEBHOOK' }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const webhook = delivery && (await em.findOne(WebhookEndpoint, { id: delivery.target }));
      if (!delivery || !webhook) throw notFound('WebhookDelivery');
      if (!webhook.enabled) throw conflict('The endpoint is disabled; enable it first (updateWebhook with enabled: true).');
      const withheld = withheldReason(webhook, delivery.payload as unknown as WebhookDeliveryPayload);
      if (withheld) throw conflict(withheld);
      em.assign(delivery, { status: DeliveryStatus.PENDING, nextAttemptAt: new Date() });
      return WebhookDelivery.from(delivery);
    });
  }
}
