import { plainText, simpleHtml, type MailBlock } from '../mail/html';
import type { MailSettings } from '../mail/mail-settings';
import { newMessageId, type OutboundMail } from '../mail/outbound-mail';

function hours(seconds: number): string {
  return seconds % 86_400 === 0 ? `${seconds / 86_400} day(s)` : seconds % 3600 === 0 ? `${seconds / 3600} hour(s)` : `${Math.round(seconds / 60)} minute(s)`;
}

function mail(settings: MailSettings, to: string, subject: string, paragraphs: MailBlock[], kind: string): OutboundMail {
  return { to, subject, text: plainText(paragraphs), html: simpleHtml(paragraphs), messageId: newMessageId(settings.mailFrom), kind, sensitive: true };
}

/** An invitation to set a first password: the link carries the one-time token. */
export function invitationMail(settings: MailSettings, to: { email: string; name: string }, token: string, ttlSeconds: number, asCustomer: boolean): OutboundMail {
  const what = asCustomer ? 'follow your support tickets online' : 'join the support team';
  return mail(
    settings,
    to.email,
    'Your Ticketgraph invitation',
    [
      `Hello ${to.name},`,
      `You are invited to ${what}. Choose your password with this link; it works once, for ${hours(ttlSeconds)}:`,
      { href: `${settings.publicUrl}/accept-invitation?token=${token}`, label: 'Set your password' },
      'If you did not expect this mail, ignore it.',
    ],
    'INVITATION',
  );
}

/** A password reset: the link carries the one-time token. */
export function passwordResetMail(settings: MailSettings, to: { email: string; name: string }, token: string, ttlSeconds: number): OutboundMail {
  return mail(
    settings,
    to.email,
    'Reset your Ticketgraph password',
    [
      `Hello ${to.name},`,
      `Someone asked to reset the password of this account. Choose a new one with this link; it works once, for ${hours(ttlSeconds)}, and signs out every session:`,
      { href: `${settings.publicUrl}/reset-password?token=${token}`, label: 'Choose a new password' },
      'If you did not ask for this, ignore this mail: your password stays as it is.',
    ],
    'PASSWORD_RESET',
  );
}
