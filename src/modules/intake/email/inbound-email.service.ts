import { mergeTargetId } from '../../merge/follow-merge';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { simpleParser, type EmailAddress, type ParsedMail } from 'mailparser';
import { email, LIMITS } from '../../../shared/validation';
import type { Comment } from '../../comments/comment.entity';
import type { Ticket } from '../../tickets/ticket.entity';
import { TicketChannel } from '../../tickets/ticket.enums';
import { Attachment } from '../attachment.entity';
import { EmailCheck } from '../email-check.enum';
import { EmailDirection, EmailMessage } from '../email-message.entity';
import type { IntakeService } from '../intake.service';
import { senderFailure } from './authentication-results';
import { automaticMarker } from './automatic-mail';
import { hardBounces, returnedMessageId, type HardBounce } from './delivery-status';
import { markBounced } from '../../mail/mail-recipients';
import {
  attachmentName,
  bodyText,
  cleanText,
  cut,
  headerFields,
  htmlToText,
  MESSAGE_ID_MAX,
  normalizeMessageId,
  referencedMessageIds,
  stripQuoted,
  ticketNumberToken,
  titleFromSubject,
} from './email-text';
import { replyTags, tagFits, type ReplyTag } from './reply-token';

/**
 * What became of a message: a new ticket, a reply on one, an internal note on one (mail that may not
 * act as its sender), nothing (automatic mail that answers no ticket), or a Message-ID already received.
 */
export type InboundOutcome = 'CREATED' | 'REPLIED' | 'NOTED' | 'IGNORED' | 'DUPLICATE';

/** The whole answer to the forwarder: nothing else about the ticket leaves. */
export interface InboundResult {
  /** Null for an IGNORED message (and a DUPLICATE of one). */
  ticketNumber: number | null;
  outcome: InboundOutcome;
  /** For the log only: why a message was NOTED, IGNORED, or opened a ticket unlinked. */
  check?: EmailCheck;
}

/** What the service is told by configuration. */
export interface InboundTrust {
  /** Makes and checks the per-ticket reply addresses (replyTokenKey). */
  replyKey: Buffer;
  /** INBOUND_AUTHSERV_ID: whose Authentication-Results are believed; unset: the topmost header's. */
  authservId?: string;
}

/** A refused message (4xx): the code and reason go back to the forwarder, nothing is written. */
export class InboundEmailError extends Error {
  constructor(
    readonly status: 400 | 401 | 413,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'InboundEmailError';
  }
}

const malformed = (code: string, message: string) => new InboundEmailError(400, code, message);

/** A parsed message, checked and reduced to what a ticket or a comment keeps. */
export interface InboundMessage {
  /** Null when the message has none: it is then taken as new and never deduplicated. */
  messageId: string | null;
  /** Message-IDs it answers, most telling first. */
  references: string[];
  subject: string | undefined;
  sender: { name: string | null; email: string };
  /**
   * The plain-text body, cleaned: the text part; for HTML-only mail mailparser's conversion of the
   * HTML, or ours (htmlToText) where mailparser leaves the text empty.
   */
  text: string;
  attachments: { filename: string; contentType: string; sizeBytes: number }[];
  /** Why the sender is not to be believed (Authentication-Results), or null. */
  senderFailure: string | null;
  /** The marker that makes it automatic mail (`Auto-Submitted: auto-replied`...), or null. */
  automatic: string | null;
  /** Per-ticket reply tags found in To, Cc, Delivered-To and X-Original-To, not yet checked. */
  replyTags: ReplyTag[];
  /** For a delivery report (multipart/report): the recipients it says failed for good, and the Message-ID it returns. */
  bounce: { failed: HardBounce[]; messageId: string | null } | null;
}

/** Recipient fields a reply address can arrive in; the last two are written by the receiving server. */
const RECIPIENT_FIELDS = ['to', 'cc', 'delivered-to', 'x-original-to'];

function isBlank(raw: Buffer): boolean {
  for (const byte of raw) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return false;
  return true;
}

/** The first mailbox in a From header, looking inside groups. */
function firstMailbox(addresses: EmailAddress[]): EmailAddress | undefined {
  for (const address of addresses) {
    if (address.address) return address;
    const inGroup = firstMailbox(address.group ?? []);
    if (inGroup) return inGroup;
  }
  return undefined;
}

/**
 * Parses a raw RFC 5322 message with mailparser and checks what we need of it: header fields, a valid
 * From address, a Message-ID that fits the column. Throws InboundEmailError (400) otherwise. The
 * trust markers are read from the raw header block; `authservId` is INBOUND_AUTHSERV_ID.
 */
export async function readMessage(raw: Buffer, authservId?: string): Promise<InboundMessage> {
  if (raw.length === 0 || isBlank(raw)) throw malformed('EMPTY_MESSAGE', 'The message is empty.');
  let parsed: ParsedMail;
  try {
    // Only `text` is used: no HTML rendering of the text part, and cid: images stay links.
    parsed = await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
  } catch {
    throw malformed('MALFORMED_MESSAGE', 'The message could not be parsed as an RFC 5322 message.');
  }
  // Text without a header block comes back with no named header field at all.
  if (!parsed.headerLines.some((header) => header.key !== '')) {
    throw malformed('MALFORMED_MESSAGE', 'The message has no header fields: send the raw RFC 5322 message, headers first.');
  }
  const from = firstMailbox(parsed.from?.value ?? []);
  if (!from?.address) throw malformed('MISSING_SENDER', 'The message has no From address.');
  let senderEmail: string;
  try {
    senderEmail = email(from.address, 'from');
  } catch {
    throw malformed('MISSING_SENDER', 'The From address is not a valid email address.');
  }
  const messageId = normalizeMessageId(parsed.messageId);
  if (messageId !== null && messageId.length > MESSAGE_ID_MAX) {
    throw malformed('MALFORMED_MESSAGE', `The Message-ID is longer than ${MESSAGE_ID_MAX} characters.`);
  }
  const name = cut(cleanText(from.name).replace(/\s+/g, ' '), LIMITS.name).trim();
  const fields = headerFields(parsed.headerLines);
  const automatic = automaticMarker(fields, senderEmail);
  // mailparser folds the message/delivery-status part into `text`; the returned headers stay an attachment.
  const returned = parsed.attachments.find((part) => part.contentType === 'text/rfc822-headers' || part.contentType === 'message/rfc822');
  const report = /^multipart\/report\b/i.test(fields.get('content-type')?.[0] ?? '');
  return {
    messageId,
    references: referencedMessageIds(parsed.inReplyTo, parsed.references),
    subject: parsed.subject,
    sender: { name: name === '' ? null : name, email: senderEmail },
    text: cleanText(parsed.text) || (typeof parsed.html === 'string' ? cleanText(htmlToText(parsed.html)) : ''),
    // Every non-body part counts, inline images included; only the description is kept.
    attachments: parsed.attachments.map((attachment, index) => ({
      filename: attachmentName(attachment.filename, attachment.contentType, index + 1),
      contentType: cut(attachment.contentType || 'application/octet-stream', 255),
      sizeBytes: attachment.size,
    })),
    senderFailure: senderFailure(fields.get('authentication-results') ?? [], authservId),
    automatic,
    replyTags: replyTags(RECIPIENT_FIELDS.flatMap((field) => fields.get(field) ?? [])),
    bounce: report ? { failed: hardBounces(parsed.text ?? ''), messageId: returned ? returnedMessageId(returned.content.toString('utf8')) : null } : null,
  };
}

/** How a message found its ticket: our Message-ID or the ticket's reply address prove it; a subject does not. */
type ThreadedBy = 'MESSAGE_ID' | 'REPLY_ADDRESS' | 'SUBJECT';

/** A header value quoted in a note, cut so a hostile one stays short. */
const quoted = (value: string) => cut(value.replaceAll('\u0000', ''), 200);

/**
 * Whether a message may act as its sender on the ticket it threads to, or why not. An unproven
 * sender outranks automatic mail, which outranks an unproven thread.
 */
function noteCheck(message: InboundMessage, by: ThreadedBy, ticketNumber: number): { check: EmailCheck; why: string } | null {
  if (message.senderFailure !== null) {
    return {
      check: EmailCheck.SENDER_UNVERIFIED,
      why: `Unverified sender: Authentication-Results ${quoted(message.senderFailure)}, so this is not taken as written by ${message.sender.email}.`,
    };
  }
  if (message.automatic !== null) return { check: EmailCheck.AUTOMATIC, why: `Automatic mail (${quoted(message.automatic)}).` };
  if (by === 'SUBJECT') {
    return {
      check: EmailCheck.THREAD_UNVERIFIED,
      why: `Unverified thread: only [#${ticketNumber}] in the subject names this ticket (no Message-ID of ours, no reply address of the ticket).`,
    };
  }
  return null;
}

/**
 * Inbound email (POST /inbound/email). A message threads onto a ticket when its In-Reply-To or
 * References names a Message-ID we received or sent for it, or when it was sent to the ticket's signed
 * reply address; else when its subject carries a `[#1234]` token naming a ticket. Threaded, it becomes
 * an external comment from its sender, who may move the ticket as its customer; but a message whose
 * sender failed the forwarder's checks, automatic mail, or one threaded by its subject alone becomes an
 * internal note (Comment.emailCheck says why) that acts as nobody and moves nothing. Not threaded, it
 * opens a ticket, except automatic mail (IGNORED); a sender that failed the checks opens it unlinked,
 * with a note. A Message-ID seen before is a duplicate. One message is one transaction.
 */
export class InboundEmailService {
  constructor(
    private readonly em: EntityManager,
    private readonly intake: IntakeService,
    private readonly trust: InboundTrust,
  ) {}

  async receive(raw: Buffer): Promise<InboundResult> {
    const message = await readMessage(raw, this.trust.authservId);
    try {
      return await this.em.transactional((em) => this.file(em as EntityManager, message));
    } catch (error) {
      // A twin sent at the same moment passed the duplicate check too; the unique index stopped it.
      if (message.messageId !== null && error instanceof UniqueConstraintViolationException) {
        const first = await this.duplicateOf(this.em.fork() as EntityManager, message.messageId);
        if (first) return first;
      }
      throw error;
    }
  }

  private async file(em: EntityManager, message: InboundMessage): Promise<InboundResult> {
    if (message.messageId !== null) {
      const duplicate = await this.duplicateOf(em, message.messageId);
      if (duplicate) return duplicate;
    }
    if (message.bounce) await this.recordBounces(em, message.bounce);
    const found = await this.threadOf(em, message);
    // A reply to a merged ticket continues on the ticket it was merged into.
    const thread = found && { ...found, ticketId: await mergeTargetId(em, found.ticketId) };
    if (thread) {
      const text = bodyText(stripQuoted(message.text));
      const note = noteCheck(message, thread.by, thread.number);
      if (note) {
        const body = bodyText(`${note.why}\n\n${text}`);
        const { ticket, comment } = await this.intake.noteFromSender(em, thread.ticketId, message.sender, body, note.check);
        this.record(em, message, ticket, comment, false);
        await em.flush();
        return { ticketNumber: ticket.number, outcome: 'NOTED', check: note.check };
      }
      const { ticket, comment } = await this.intake.replyFromSender(em, thread.ticketId, message.sender, text);
      this.record(em, message, ticket, comment, true);
      await em.flush();
      return { ticketNumber: ticket.number, outcome: 'REPLIED' };
    }
    if (message.automatic !== null) {
      // Kept only as a Message-ID, so a redelivery answers DUPLICATE; a loop never starts a ticket.
      this.record(em, message, null, null, false);
      await em.flush();
      return { ticketNumber: null, outcome: 'IGNORED', check: EmailCheck.AUTOMATIC };
    }
    const fields = {
      title: titleFromSubject(message.subject),
      description: bodyText(message.text),
      channel: TicketChannel.EMAIL,
      senderName: message.sender.name,
      senderEmail: message.sender.email,
      companyName: null,
      phone: null,
    };
    if (message.senderFailure !== null) {
      const why = `Unverified sender: Authentication-Results ${quoted(message.senderFailure)}. This ticket was not linked to the business or contact of ${message.sender.email}; make sure who wrote it before acting on it.`;
      const { ticket } = await this.intake.openUnverified(em, fields, why, EmailCheck.SENDER_UNVERIFIED);
      this.record(em, message, ticket, null, false);
      await em.flush();
      return { ticketNumber: ticket.number, outcome: 'CREATED', check: EmailCheck.SENDER_UNVERIFIED };
    }
    const { ticket } = await this.intake.openFromSender(em, fields);
    this.record(em, message, ticket, null, true);
    await em.flush();
    return { ticketNumber: ticket.number, outcome: 'CREATED' };
  }

  /**
   * A delivery report about a mail of ours stops further mail to each recipient it says failed for
   * good. Only a report that returns one of our Message-IDs, sent to that very recipient, counts: a
   * forged report cannot stop mail to an address we did not write to with that message.
   */
  private async recordBounces(em: EntityManager, bounce: NonNullable<InboundMessage['bounce']>): Promise<void> {
    if (!bounce.messageId || bounce.failed.length === 0) return;
    const [sent] = await em.execute<{ target: string }[]>(`select target from delivery where channel = 'MAIL' and payload ->> 'messageId' = ?`, [bounce.messageId]);
    for (const failed of bounce.failed) if (sent?.target === failed.recipient) await markBounced(em, failed.recipient, failed.reason);
  }

  private async duplicateOf(em: EntityManager, messageId: string): Promise<InboundResult | null> {
    const seen = await em.findOne(EmailMessage, { messageId }, { populate: ['ticket'] });
    return seen ? { ticketNumber: seen.ticket?.number ?? null, outcome: 'DUPLICATE' } : null;
  }

  /**
   * The ticket a message answers: by a Message-ID in its headers that we sent, or received in a message
   * we believed; then by a reply address whose tag fits a ticket; then by a `[#1234]` subject token.
   */
  private async threadOf(em: EntityManager, message: InboundMessage): Promise<{ ticketId: string; number: number; by: ThreadedBy } | null> {
    if (message.references.length > 0) {
      const known = await em.find(EmailMessage, { messageId: { $in: message.references }, ticket: { $ne: null }, provesThread: true }, { populate: ['ticket'] });
      for (const id of message.references) {
        const match = known.find((row) => row.messageId === id);
        if (match?.ticket) return { ticketId: match.ticket.id, number: match.ticket.number, by: 'MESSAGE_ID' };
      }
    }
    // Only the key and number: the intake loads the ticket itself, under its row lock.
    const tickets = (numbers: number[]) =>
      em.execute<{ id: string; number: number }[]>('select id, number from ticket where number = any(?::int[])', [`{${numbers.join(',')}}`]);
    const tags = message.replyTags.filter((tag) => tag.number <= 2_147_483_647).slice(0, 10);
    if (tags.length > 0) {
      const rows = await tickets(tags.map((tag) => tag.number));
      for (const tag of tags) {
        const row = rows.find((candidate) => candidate.number === tag.number);
        if (row && tagFits(this.trust.replyKey, tag, row)) return { ticketId: row.id, number: row.number, by: 'REPLY_ADDRESS' };
      }
    }
    const number = ticketNumberToken(message.subject);
    if (number === null || number > 2_147_483_647) return null;
    const [row] = await tickets([number]);
    return row ? { ticketId: row.id, number: row.number, by: 'SUBJECT' } : null;
  }

  /** The Message-ID (for deduplication, and for threading when the message was believed) and the attachments' descriptions. */
  private record(em: EntityManager, message: InboundMessage, ticket: Ticket | null, comment: Comment | null, provesThread: boolean): void {
    if (message.messageId !== null) {
      em.create(EmailMessage, { messageId: message.messageId, ticket, comment, direction: EmailDirection.INBOUND, provesThread });
    }
    if (ticket === null) return;
    for (const attachment of message.attachments) em.create(Attachment, { ticket, comment, ...attachment });
  }
}
