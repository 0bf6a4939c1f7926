import type { EntityManager } from '@mikro-orm/postgresql';
import type { AttemptResult, DeliveryChannel } from '../deliveries/delivery-channel';
import { DeliveryStatus, type Delivery } from '../deliveries/delivery.entity';
import { markBounced, recipientStop } from './mail-recipients';
import type { MailTransport } from './mail-transport';
import type { OutboundMail } from './outbound-mail';
import { refusedRecipient } from './recipient.policy';

/** Seconds between attempts: quick at first (a server restarting), then spread over about two days. */
const RETRY_SECONDS = [30, 120, 600, 1800, 3600, 7200, 14_400, 28_800, 43_200, 43_200, 43_200];

/** SMTP replies that refuse the mailbox itself (RFC 5321): a hard bounce. */
const MAILBOX_REFUSED = new Set([550, 551, 553]);

/** Headers on every mail of ours: answering machines and out-of-office replies leave them alone. */
const AUTOMATIC = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };

/**
 * Sends MAIL deliveries, whoever decided them. Right before each attempt it looks at the recipient:
 * never our own address or an automatic mailbox (recipient.policy.ts), never an address that bounced
 * hard, and no optional mail to one that unsubscribed; such a delivery is CANCELLED with the reason.
 * An SMTP 5xx answer is final (no retry), and one refusing the mailbox marks the address as bounced;
 * anything else is tried again.
 */
export class MailChannel implements DeliveryChannel {
  readonly channel = 'MAIL' as const;

  constructor(
    private readonly transport: MailTransport,
    private readonly mailFrom: string,
  ) {}

  async send(em: EntityManager, delivery: Delivery): Promise<AttemptResult> {
    const mail = delivery.payload as unknown as OutboundMail;
    const stop = refusedRecipient(mail.to, this.mailFrom) ?? (await recipientStop(em, mail.to, mail.optional === true));
    if (stop) return { ok: false, cancelled: true, error: `Not sent: ${stop}.` };
    try {
      const response = await this.transport.send(
        {
          from: this.mailFrom,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          inReplyTo: mail.inReplyTo,
          references: mail.references,
          replyTo: mail.replyTo,
          headers: { ...mail.headers, ...AUTOMATIC },
        },
        delivery.id,
      );
      return { ok: true, responseCode: smtpCode(response) };
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      return { ok: false, responseCode: code, error: error instanceof Error ? error.message : String(error), permanent: code !== undefined && code >= 500 };
    }
  }

  retryDelaySeconds(attempts: number): number | null {
    return RETRY_SECONDS[attempts - 1] ?? null;
  }

  /**
   * A server that said the mailbox does not exist or refuses our mail (550, 551, 553) has told us the
   * address does not take it. Other 5xx answers (relay or authentication refused, a policy on the
   * content) fail the one mail but say nothing about the address. A sensitive mail's body (a one-time
   * link) stays in the outbox only while it may still be sent.
   */
  async afterAttempt(em: EntityManager, delivery: Delivery, result: AttemptResult): Promise<void> {
    if (result.responseCode !== undefined && MAILBOX_REFUSED.has(result.responseCode)) {
      await markBounced(em, delivery.target, `SMTP ${result.responseCode}: ${result.error ?? 'refused'}`);
    }
    const mail = delivery.payload as unknown as OutboundMail;
    if (mail.sensitive && delivery.status !== DeliveryStatus.PENDING) delivery.payload = { ...mail, text: '', html: '' };
  }
}

function smtpCode(response: string): number | undefined {
  const code = /^(\d{3})\b/.exec(response)?.[1];
  return code ? Number(code) : undefined;
}
