import { plainText, simpleHtml, type MailBlock } from '../mail/html';
import type { MailSettings } from '../mail/mail-settings';
import { newMessageId, type OutboundMail } from '../mail/outbound-mail';

/**
 * The mail of one notification: its one-line title, and a link to the ticket it is about. No comment
 * text or internal detail is copied into it; the link leads to the ticket, where access is checked.
 */
export function notificationMail(settings: MailSettings, to: { email: string; name: string }, notification: { title: string; ticketNumber: number | null }): OutboundMail {
  const paragraphs: MailBlock[] = [`Hello ${to.name},`, notification.title];
  if (notification.ticketNumber !== null) {
    paragraphs.push({ href: `${settings.publicUrl}/tickets/${notification.ticketNumber}`, label: `Open ticket #${notification.ticketNumber}` });
  }
  paragraphs.push('You receive this because of your notification preferences (updateNotificationPreferences).');
  return {
    to: to.email,
    subject: notification.title,
    text: plainText(paragraphs),
    html: simpleHtml(paragraphs),
    messageId: newMessageId(settings.mailFrom),
    kind: 'NOTIFICATION',
  };
}
