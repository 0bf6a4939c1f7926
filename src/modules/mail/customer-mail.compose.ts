import { plainText, simpleHtml, type MailBlock } from './html';
/**
 * The words of customer mail, as pure functions of what a mail may say: the ticket's number, title
 * and reference, what staff wrote for the customer, and links. Nothing else of the ticket reaches
 * here, so nothing internal can reach a mail. Every mail is plain text plus simple HTML in which every
 * given string is escaped.
 */

/** The kinds of customer mail (OutboundMail.kind). */
export enum CustomerMailKind {
  RECEIPT = 'RECEIPT',
  COMMENT = 'COMMENT',
  WAITING_ON_YOU = 'WAITING_ON_YOU',
  RESOLVED = 'RESOLVED',
  CLOSED = 'CLOSED',
}

/** What a mail may say about its ticket. */
export interface MailTicket {
  number: number;
  title: string;
  /** The reference a web-form or email submitter quotes (TG-1042-K7QF); null for tickets staff opened. */
  reference: string | null;
}

export type CustomerMailContent =
  | { kind: CustomerMailKind.RECEIPT; ticket: MailTicket }
  /** An external comment by staff: its author's name and its text. */
  | { kind: CustomerMailKind.COMMENT; ticket: MailTicket; author: string; body: string }
  /** The reason the team wrote for the customer. */
  | { kind: CustomerMailKind.WAITING_ON_YOU; ticket: MailTicket; reason: string }
  /**
   * `notes` only when written for the customer; `resolutionUrl` (confirm or reopen) when the ticket has
   * a contact to act as; `rateUrl` while the one-time rating token is unused.
   */
  | { kind: CustomerMailKind.RESOLVED; ticket: MailTicket; notes: string | null; resolutionUrl: string | null; rateUrl: string | null }
  | { kind: CustomerMailKind.CLOSED; ticket: MailTicket; automatic: boolean; rateUrl: string | null };

/** What every mail ends with. */
export interface MailFooter {
  /** Whether a reply to the mail reaches the ticket (inbound email is on). */
  repliesReachTicket: boolean;
  unsubscribeUrl: string;
  /** Optional mail can be turned off; a must-receive mail says it is sent anyway. */
  optional: boolean;
}

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

/** One line for a header: the title cannot fold into another header line. */
const oneLine = (value: string) => value.replace(/[\r\n\t]+/g, ' ').trim();

function subjectOf(content: CustomerMailContent): string {
  const tag = `[#${content.ticket.number}]`;
  const title = oneLine(content.ticket.title);
  switch (content.kind) {
    case CustomerMailKind.RECEIPT:
      return `${tag} We received your request: ${title}`;
    case CustomerMailKind.COMMENT:
      return `Re: ${tag} ${title}`;
    case CustomerMailKind.WAITING_ON_YOU:
      return `${tag} Waiting on you: ${title}`;
    case CustomerMailKind.RESOLVED:
      return `${tag} Resolved: ${title}`;
    case CustomerMailKind.CLOSED:
      return `${tag} Closed: ${title}`;
  }
}

function blocksOf(content: CustomerMailContent, repliesReachTicket: boolean): MailBlock[] {
  const { ticket } = content;
  const name = `ticket #${ticket.number} ("${oneLine(ticket.title)}")`;
  switch (content.kind) {
    case CustomerMailKind.RECEIPT:
      return [
        `We received your request and opened ${name}.`,
        ticket.reference ? `Your reference: ${ticket.reference} (ticket #${ticket.number}). Please quote it if you contact us another way.` : `Your ticket number: #${ticket.number}.`,
        repliesReachTicket ? 'To add anything, reply to this email; keep the ticket number in the subject.' : `To add anything, write to us quoting ticket #${ticket.number}.`,
      ];
    case CustomerMailKind.COMMENT:
      return [`${oneLine(content.author)} wrote on ${name}:`, { quote: content.body }];
    case CustomerMailKind.WAITING_ON_YOU:
      return [
        `We need something from you before we can go on with ${name}:`,
        { quote: content.reason },
        repliesReachTicket ? 'Reply to this email with what we asked for and the ticket goes back to the team.' : 'Please send us what we asked for, quoting the ticket number.',
      ];
    case CustomerMailKind.RESOLVED:
      return [
        `We resolved ${name}.`,
        ...(content.notes ? ['How it was resolved:', { quote: content.notes }] : []),
        ...(content.resolutionUrl ? [{ label: 'Confirm the resolution, or reopen the ticket if the problem is not solved', href: content.resolutionUrl }] : []),
        ...(!content.resolutionUrl && repliesReachTicket ? ['If the problem is not solved, reply to this email and the ticket is reopened.'] : []),
        ...(content.rateUrl ? [{ label: 'Tell us how we did (one rating per ticket)', href: content.rateUrl }] : []),
      ];
    case CustomerMailKind.CLOSED:
      return [
        content.automatic ? `We closed ${name}: it stayed resolved without an answer.` : `${name[0].toUpperCase()}${name.slice(1)} is closed.`,
        ...(content.rateUrl ? [{ label: 'Tell us how we did (one rating per ticket)', href: content.rateUrl }] : []),
        'If you need more help, open a new request.',
      ];
  }
}

function footerBlocks(footer: MailFooter): MailBlock[] {
  return [
    footer.optional
      ? { label: 'Stop updates like this one (you still get receipts of your requests and our replies)', href: footer.unsubscribeUrl }
      : { label: 'Stop optional updates (this kind of mail is always sent)', href: footer.unsubscribeUrl },
  ];
}

export function composeCustomerMail(content: CustomerMailContent, footer: MailFooter): ComposedMail {
  const blocks = blocksOf(content, footer.repliesReachTicket);
  const end = footerBlocks(footer);
  return { subject: subjectOf(content), text: plainText(blocks, end), html: simpleHtml(blocks, end) };
}
