import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueueDeliveries, type NewDelivery } from '../deliveries/outbox';

/** A mail as decided, kept in its delivery's payload until it is sent. */
export interface OutboundMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Ours, made when the mail is decided: the same on every attempt, so a repeat is recognisable. */
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  replyTo?: string;
  /** Extra headers (List-Unsubscribe...). The channel adds those every mail of ours carries. */
  headers?: Record<string, string>;
  /** What it is (RECEIPT, COMMENT, ...), for logs and tests. */
  kind: string;
  /** The body holds a secret (a one-time link): it is dropped from the outbox once the mail is sent or given up. */
  sensitive?: boolean;
  /** The recipient may have turned it off (List-Unsubscribe): then it is cancelled, not sent. */
  optional?: boolean;
}

/** The domain our Message-IDs end in: the sender address's. */
export function messageIdDomain(mailFrom: string): string {
  const address = /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom;
  return address.slice(address.lastIndexOf('@') + 1).trim();
}

export function newMessageId(mailFrom: string): string {
  return `<${randomUUID()}@${messageIdDomain(mailFrom)}>`;
}

/** A mail as a row of the outbox (to decide many at once with enqueueDeliveries). */
export function mailDelivery(mail: OutboundMail, about: { dedupKey: string; ticketId?: string | null; cancelled?: string }): NewDelivery {
  return { channel: 'MAIL', target: mail.to.toLowerCase(), ticketId: about.ticketId, dedupKey: about.dedupKey, payload: { ...mail }, cancelled: about.cancelled };
}

/**
 * Decides a mail in the caller's transaction (see enqueueDeliveries): it is sent if and only if the
 * transaction commits, once per `dedupKey`.
 */
export async function queueMail(em: EntityManager, mail: OutboundMail, about: { dedupKey: string; ticketId?: string | null; cancelled?: string }): Promise<boolean> {
  const made = await enqueueDeliveries(em, [mailDelivery(mail, about)]);
  return made.length > 0;
}
