import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** Secrets look like `whsec_<base64 of 32 random bytes>`, the form Standard Webhooks libraries take as they are. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The three Standard Webhooks headers of one attempt. `webhook-id` is the delivery's id, the same on
 * every retry and redelivery, so a receiver can drop repeats. With several secrets (during a rotation's
 * overlap) `webhook-signature` holds one `v1,` signature per secret, separated by spaces: a receiver
 * holding either secret accepts the message.
 */
export function signedHeaders(secrets: readonly string[], messageId: string, at: Date, body: string): Record<string, string> {
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(' '),
  };
}
