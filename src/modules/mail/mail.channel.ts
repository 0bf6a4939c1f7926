import type { AttemptResult, DeliveryChannel } from '../deliveries/delivery-channel';
import { DeliveryStatus, type Delivery } from '../deliveries/delivery.entity';
import type { MailTransport } from './mail-transport';
import type { OutboundMail } from './outbound-mail';

/** Seconds between attempts: quick at first (a server restarting), then spread over about two days. */
const RETRY_SECONDS = [30, 120, 600, 1800, 3600, 7200, 14_400, 28_800, 43_200, 43_200, 43_200];

/** Headers on every mail of ours: answering machines and out-of-office replies leave them alone. */
const AUTOMATIC = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' };

/** Sends MAIL deliveries; an SMTP 5xx answer is final (no retry), anything else is tried again. */
export class MailChannel implements DeliveryChannel {
  readonly channel = 'MAIL' as const;

  constructor(
    private readonly transport: MailTransport,
    private readonly mailFrom: string,
  ) {}

  async send(_em: unknown, delivery: Delivery): Promise<AttemptResult> {
    const mail = delivery.payload as unknown as OutboundMail;
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

  /** A sensitive mail's body (a one-time link) stays in the outbox only while it may still be sent. */
  async afterAttempt(_em: unknown, delivery: Delivery): Promise<void> {
    const mail = delivery.payload as unknown as OutboundMail;
    if (mail.sensitive && delivery.status !== DeliveryStatus.PENDING) delivery.payload = { ...mail, text: '', html: '' };
  }
}

function smtpCode(response: string): number | undefined {
  const code = /^(\d{3})\b/.exec(response)?.[1];
  return code ? Number(code) : undefined;
}
