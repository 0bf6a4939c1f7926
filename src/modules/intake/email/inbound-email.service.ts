import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { simpleParser, type EmailAddress, type ParsedMail } from 'mailparser';
import { email, LIMITS } from '../../../shared/validation';
import type { Comment } from '../../comments/comment.entity';
import type { Ticket } from '../../tickets/ticket.entity';
import { TicketChannel } from '../../tickets/ticket.enums';
import { Attachment } from '../attachment.entity';
import { EmailDirection, EmailMessage } from '../email-message.entity';
import type { IntakeService } from '../intake.service';
import {
  attachmentName,
  bodyText,
  cleanText,
  cut,
  htmlToText,
  MESSAGE_ID_MAX,
  normalizeMessageId,
  referencedMessageIds,
  stripQuoted,
  ticketNumberToken,
  titleFromSubject,
} from './email-text';

/** What became of a message: a new ticket, a reply on one, or a Message-ID already received. */
export type InboundOutcome = 'CREATED' | 'REPLIED' | 'DUPLICATE';

/** The whole answer to the forwarder: nothing else about the ticket leaves. */
export interface InboundResult {
  ticketNumber: number;
  outcome: InboundOutcome;
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
}

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
 * From address, a Message-ID that fits the column. Throws InboundEmailError (400) otherwise.
 */
export async function readMessage(raw: Buffer): Promise<InboundMessage> {
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
  };
}

/**
 * Inbound email (POST /inbound/email): a new message opens a ticket (channel EMAIL), a reply becomes
 * an external comment from its sender, and a Message-ID seen before is answered as a duplicate. A
 * message is a reply when its In-Reply-To or References names a Message-ID we received or sent for a
 * ticket, or else when its subject carries a `[#1234]` token naming an existing ticket. One message is
 * one transaction.
 */
export class InboundEmailService {
  constructor(
    private readonly em: EntityManager,
    private readonly intake: IntakeService,
  ) {}

  async receive(raw: Buffer): Promise<InboundResult> {
    const message = await readMessage(raw);
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
    const threadTicketId = await this.threadOf(em, message);
    if (threadTicketId) {
      const reply = bodyText(stripQuoted(message.text));
      const { ticket, comment } = await this.intake.replyFromSender(em, threadTicketId, message.sender, reply);
      this.record(em, message, ticket, comment);
      await em.flush();
      return { ticketNumber: ticket.number, outcome: 'REPLIED' };
    }
    const { ticket } = await this.intake.openFromSender(em, {
      title: titleFromSubject(message.subject),
      description: bodyText(message.text),
      channel: TicketChannel.EMAIL,
      senderName: message.sender.name,
      senderEmail: message.sender.email,
      companyName: null,
      phone: null,
    });
    this.record(em, message, ticket, null);
    await em.flush();
    return { ticketNumber: ticket.number, outcome: 'CREATED' };
  }

  private async duplicateOf(em: EntityManager, messageId: string): Promise<InboundResult | null> {
    const seen = await em.findOne(EmailMessage, { messageId }, { populate: ['ticket'] });
    return seen ? { ticketNumber: seen.ticket.number, outcome: 'DUPLICATE' } : null;
  }

  /** The ticket a message answers: by its headers first, then by a `[#1234]` token in the subject. */
  private async threadOf(em: EntityManager, message: InboundMessage): Promise<string | null> {
    if (message.references.length > 0) {
      const known = await em.find(EmailMessage, { messageId: { $in: message.references } });
      for (const id of message.references) {
        const match = known.find((row) => row.messageId === id);
        if (match) return match.ticket.id;
      }
    }
    const number = ticketNumberToken(message.subject);
    if (number === null || number > 2_147_483_647) return null;
    // Only the key: replyFromSender loads the ticket itself, under its row lock.
    const [row] = await em.execute<{ id: string }[]>('select id from ticket where number = ?', [number]);
    return row?.id ?? null;
  }

  /** The Message-ID (for threading and deduplication) and the attachments' descriptions. */
  private record(em: EntityManager, message: InboundMessage, ticket: Ticket, comment: Comment | null): void {
    if (message.messageId !== null) {
      em.create(EmailMessage, { messageId: message.messageId, ticket, comment, direction: EmailDirection.INBOUND });
    }
    for (const attachment of message.attachments) em.create(Attachment, { ticket, comment, ...attachment });
  }
}
