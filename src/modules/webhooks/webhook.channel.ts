import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { WebhookSettings } from '../../config';
import type { AttemptResult, DeliveryChannel } from '../deliveries/delivery-channel';
import { DeliveryStatus, type Delivery } from '../deliveries/delivery.entity';
import { NotificationEvent } from '../notifications/notification.enums';
import type { Notifier } from '../notifications/notifier';
import { WebhookDisabledReason, WebhookEndpoint } from './webhook-endpoint.entity';
import { disableEndpoint } from './webhook-disable';
import { postJson } from './webhook-http';
import { withheldReason, type WebhookDeliveryPayload, type WebhookMessage } from './webhook-message';
import { FAILING_DISABLE_MS, webhookRetryDelaySeconds } from './webhook-retry';
import { signedHeaders } from './webhook-signing';

/** The secrets that sign a message sent at `at`: the current one, and the previous one during a rotation's overlap. */
function signingSecrets(endpoint: WebhookEndpoint, at: Date): string[] {
  const overlapping = endpoint.previousSecret && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > at;
  return overlapping ? [endpoint.secret, endpoint.previousSecret!] : [endpoint.secret];
}

/** The body as sent: `type`, `timestamp`, `data` in that order (the stored jsonb keeps no key order). */
function messageBody({ type, timestamp, data }: WebhookMessage): string {
  return JSON.stringify({ type, timestamp, data });
}

/** An attempt's failure in words. Errors are read by shape: node's own may come from another realm (jest's vm). */
function describe(error: unknown, timeoutMs: number): string {
  const { name, message } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown };
  if (name === 'AbortError' || name === 'TimeoutError') return `No answer within ${timeoutMs} ms.`;
  return typeof message === 'string' ? message : String(error);
}

/**
 * The WEBHOOK delivery channel: POSTs a delivery's message to its endpoint, signed per Standard
 * Webhooks, and keeps the endpoint's health: a 410 disables it at once, five days of failures
 * (since its last success) disable it too, and every active admin is notified (WEBHOOK_DISABLED).
 */
export class WebhookChannel implements DeliveryChannel {
  readonly channel = 'WEBHOOK' as const;

  constructor(
    private readonly settings: WebhookSettings,
    private readonly logger: Logger,
    private readonly notifier: Notifier,
  ) {}

  async send(em: EntityManager, delivery: Delivery): Promise<AttemptResult> {
    const endpoint = await em.findOne(WebhookEndpoint, { id: delivery.target });
    if (!endpoint) return { ok: false, permanent: true, error: 'The endpoint was deleted.' };
    if (endpoint.disabledAt) return { ok: false, permanent: true, error: `The endpoint is disabled (${endpoint.disabledReason}).` };
    const payload = delivery.payload as unknown as WebhookDeliveryPayload;
    const withheld = withheldReason(endpoint, payload);
    if (withheld) return { ok: false, permanent: true, error: withheld };
    const body = messageBody(payload.message);
    const at = new Date();
    const headers = { ...signedHeaders(signingSecrets(endpoint, at), delivery.id, at, body), 'user-agent': 'Ticketgraph-Webhooks/1' };
    const started = performance.now();
    try {
      const answer = await postJson(endpoint.url, body, headers, this.settings);
      const durationMs = Math.round(performance.now() - started);
      if (answer.status >= 200 && answer.status < 300) return { ok: true, responseCode: answer.status, durationMs };
      return { ok: false, responseCode: answer.status, durationMs, permanent: answer.status === 410, error: `HTTP ${answer.status}: ${answer.body}` };
    } catch (error) {
      return { ok: false, durationMs: Math.round(performance.now() - started), error: describe(error, this.settings.timeoutMs) };
    }
  }

  retryDelaySeconds(attempts: number): number | null {
    return webhookRetryDelaySeconds(attempts);
  }

  /** Keeps `failingSince` and disables the endpoint on a 410 or after five days of failures. */
  async afterAttempt(em: EntityManager, delivery: Delivery, result: AttemptResult): Promise<void> {
    // Refused before any request (endpoint deleted or disabled, content withheld): nothing learnt of the endpoint's health.
    if (result.permanent && result.responseCode === undefined) return;
    const endpoint = await em.findOne(WebhookEndpoint, { id: delivery.target });
    if (!endpoint || endpoint.disabledAt) return;
    if (result.ok) {
      endpoint.failingSince = null;
      return;
    }
    const attemptAt = delivery.lastAttemptAt ?? new Date();
    endpoint.failingSince ??= attemptAt;
    const reason =
      result.responseCode === 410
        ? WebhookDisabledReason.GONE
        : attemptAt.getTime() - endpoint.failingSince.getTime() >= FAILING_DISABLE_MS
          ? WebhookDisabledReason.FAILING
          : null;
    if (!reason) return;
    await disableEndpoint(em, endpoint, reason, this.logger, delivery.id);
    // No retry of this one either: the endpoint receives nothing until it is enabled again.
    delivery.status = DeliveryStatus.FAILED;
    await this.notifier.notifyAdmins(em, NotificationEvent.WEBHOOK_DISABLED, {
      about: `webhook:${endpoint.id}:disabled:${endpoint.disabledAt!.toISOString()}`,
      title: `Webhook endpoint ${new URL(endpoint.url).host} disabled: ${reason === WebhookDisabledReason.GONE ? 'it answered 410 Gone' : 'every attempt failed for five days'}`,
      details: { webhook: endpoint.globalId, url: endpoint.url, reason },
    });
  }
}
