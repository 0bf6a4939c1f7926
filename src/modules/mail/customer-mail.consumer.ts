import type { EntityManager } from '@mikro-orm/postgresql';
import { fromGlobalId } from '../../shared/global-id';
import { pgArray } from '../../shared/sql';
import { enqueueDeliveries, type NewDelivery } from '../deliveries/outbox';
import { Comment } from '../comments/comment.entity';
import type { FeedConsumer } from '../feed/feed-consumer';
import { EmailDirection, EmailMessage } from '../intake/email-message.entity';
import { replyAddress } from '../intake/email/reply-token';
import { TicketEventType, type TicketEvent } from '../tickets/ticket-event.entity';
import { Ticket } from '../tickets/ticket.entity';
import { TicketStatus } from '../tickets/ticket.enums';
import { composeCustomerMail, CustomerMailKind, type CustomerMailContent } from './customer-mail.compose';
import { mailLinks, resolutionToken } from './mail-links';
import { unsubscribeTokens } from './mail-recipients';
import { mailDelivery, newMessageId, type OutboundMail } from './outbound-mail';
import { addressOf } from './recipient.policy';

/** The consumer's name: its checkpoint's key (Migration20261206100000_customer_mail starts it at the upgrade). */
export const CUSTOMER_MAIL_CONSUMER = 'customer-mail';

export interface CustomerMailSettings {
  mailFrom: string;
  publicUrl: string;
  /** Signs per-ticket reply addresses (inbound email on); null: replies do not reach tickets, no Reply-To. */
  replyKey: Buffer | null;
  /** Signs the resolution links (mail-links.ts). */
  linkKey: Buffer;
  cap: { perTicket: number; windowSeconds: number };
}

/** Message-IDs named in References at most: the thread's first and the latest ones. */
const MAX_REFERENCES = 20;

/** A mail decided for an entry, before it is composed. */
interface Decision {
  entry: TicketEvent;
  ticket: Ticket;
  to: string;
  content: CustomerMailContent;
  /** The recipient may turn it off (README, Customer email: Unsubscribe says what is always sent). */
  optional: boolean;
  comment: Comment | null;
}

/** The transaction that wrote an entry: positions are its id × 2^24 + rank (feed positions migration). */
const transactionOf = (entry: TicketEvent) => (BigInt(entry.position) >> 24n).toString();

/** Whether staff (a user or an API key) made the change, rather than the customer or the system. */
const byStaff = (entry: TicketEvent) => entry.actor !== null || typeof entry.details.apiKey === 'string';

/**
 * Decides customer mail from the timeline, each entry's mail once (dedup key `customer-mail:<entry id>`,
 * decided in the batch's transaction): a receipt of a new ticket, every external comment by staff,
 * "waiting on you" when the reason was written for the customer, the resolution, and the closing by
 * staff or by time. Internal entries and internal comments never make a mail, and the reason or notes
 * of a move go in only when they were written for the customer. The mail goes to the ticket's
 * contact, else to its submitter's address; none when there is neither. Each mail is threaded onto the
 * ticket's earlier mail, ours and the customer's, and its Message-ID is recorded so a reply threads.
 */
export function customerMailConsumer(settings: CustomerMailSettings): FeedConsumer {
  return {
    name: CUSTOMER_MAIL_CONSUMER,
    batchSize: 200,
    async apply(em, entries) {
      const candidates = entries.filter(
        (entry) => !entry.isInternal && [TicketEventType.CREATED, TicketEventType.COMMENTED, TicketEventType.STATUS_CHANGED, TicketEventType.AUTO_CLOSED].includes(entry.type),
      );
      if (candidates.length === 0) return;
      const decisions = await decide(em, settings, candidates);
      if (decisions.length === 0) return;
      await queue(em, settings, decisions);
    },
  };
}

async function decide(em: EntityManager, settings: CustomerMailSettings, entries: TicketEvent[]): Promise<Decision[]> {
  const ticketIds = [...new Set(entries.map((entry) => entry.ticket.id))];
  const tickets = new Map((await em.find(Ticket, { id: { $in: ticketIds } }, { populate: ['contact'] })).map((ticket) => [ticket.id, ticket]));
  const commented = entries.filter((entry) => entry.type === TicketEventType.COMMENTED && byStaff(entry));
  const commentIds = commented.map((entry) => fromGlobalId(String(entry.details.comment ?? ''))?.id).filter((id): id is string => id !== undefined);
  const comments = new Map(commentIds.length ? (await em.find(Comment, { id: { $in: commentIds }, isInternal: false })).map((comment) => [comment.id, comment]) : []);
  const reasons = commented.length ? await moveReasons(em, commented) : new Set<string>();
  const created = entries.filter((entry) => entry.type === TicketEventType.CREATED).map((entry) => entry.ticket.id);
  const unverified = created.length ? await unverifiedOpenings(em, created) : new Set<string>();

  const decisions: Decision[] = [];
  for (const entry of entries) {
    const ticket = tickets.get(entry.ticket.id);
    const to = ticket?.contact?.email ?? ticket?.submitterEmail;
    if (!ticket || !to) continue;
    const about = { number: ticket.number, title: ticket.title, reference: ticket.reference };
    const add = (content: CustomerMailContent, optional: boolean, comment: Comment | null = null) => decisions.push({ entry, ticket, to, content, optional, comment });
    const rateUrl = () => (ticket.satisfactionToken ? mailLinks.rate(settings.publicUrl, ticket.globalId, ticket.satisfactionToken) : null);

    if (entry.type === TicketEventType.CREATED) {
      // A forged sender gets no receipt: that would be backscatter to whoever the forger named.
      if (!unverified.has(ticket.id)) add({ kind: CustomerMailKind.RECEIPT, ticket: about }, byStaff(entry));
    } else if (entry.type === TicketEventType.COMMENTED) {
      const comment = comments.get(fromGlobalId(String(entry.details.comment ?? ''))?.id ?? '');
      // A move's reason is also kept as a comment: the move's own mail carries it.
      if (comment && byStaff(entry) && !reasons.has(`${ticket.id}:${transactionOf(entry)}:${comment.body}`)) {
        add({ kind: CustomerMailKind.COMMENT, ticket: about, author: comment.authorName, body: comment.body }, false, comment);
      }
    } else if (entry.type === TicketEventType.AUTO_CLOSED) {
      add({ kind: CustomerMailKind.CLOSED, ticket: about, automatic: true, rateUrl: rateUrl() }, true);
    } else if (entry.toStatus === TicketStatus.WAITING_ON_CUSTOMER) {
      if (entry.reason && !entry.reasonInternal) add({ kind: CustomerMailKind.WAITING_ON_YOU, ticket: about, reason: entry.reason }, true);
    } else if (entry.toStatus === TicketStatus.RESOLVED) {
      // The link acts as the ticket's contact; without one, a reply to the mail reopens the ticket.
      const contact = ticket.contact && !ticket.contact.deactivatedAt;
      const resolvable = contact && ticket.status === TicketStatus.RESOLVED && ticket.resolvedAt;
      const resolutionUrl = resolvable ? mailLinks.resolution(settings.publicUrl, resolutionToken(settings.linkKey, { id: ticket.id, resolvedAt: ticket.resolvedAt! })) : null;
      add({ kind: CustomerMailKind.RESOLVED, ticket: about, notes: entry.reasonInternal ? null : entry.reason, resolutionUrl, rateUrl: rateUrl() }, true);
    } else if (entry.toStatus === TicketStatus.CLOSED && byStaff(entry) && entry.details.trigger !== 'MERGE') {
      // A merge's close is told by its notice comment (where the conversation continues), not a second mail.
      add({ kind: CustomerMailKind.CLOSED, ticket: about, automatic: false, rateUrl: rateUrl() }, true);
    }
  }
  return decisions;
}

/**
 * The reasons of customer-facing moves (waiting on you, resolution) written in the same transactions
 * as these comments, as `<ticket>:<transaction>:<text>`.
 */
async function moveReasons(em: EntityManager, comments: TicketEvent[]): Promise<Set<string>> {
  const rows = await em.execute<{ ticket_id: string; tx: string; reason: string }[]>(
    `select ticket_id, (position >> 24)::text as tx, reason from ticket_event
      where type = ? and not reason_internal and reason is not null and to_status in (?, ?)
        and ticket_id = any(?::uuid[]) and (position >> 24) = any(?::bigint[])`,
    [
      TicketEventType.STATUS_CHANGED,
      TicketStatus.WAITING_ON_CUSTOMER,
      TicketStatus.RESOLVED,
      pgArray([...new Set(comments.map((entry) => entry.ticket.id))]),
      pgArray([...new Set(comments.map(transactionOf))]),
    ],
  );
  return new Set(rows.map((row) => `${row.ticket_id}:${row.tx}:${row.reason}`));
}

/** Tickets opened by an email whose sender failed the checks (kept as not proving its thread). */
async function unverifiedOpenings(em: EntityManager, ticketIds: string[]): Promise<Set<string>> {
  const rows = await em.execute<{ ticket_id: string }[]>(
    `select ticket_id from email_message where ticket_id = any(?::uuid[]) and direction = ? and comment_id is null and not proves_thread`,
    [pgArray(ticketIds), EmailDirection.INBOUND],
  );
  return new Set(rows.map((row) => row.ticket_id));
}

/** The ticket's mail so far, ours and the customer's that proved its thread, oldest first. */
async function threads(em: EntityManager, ticketIds: string[]): Promise<Map<string, string[]>> {
  const rows = await em.execute<{ ticket_id: string; message_id: string }[]>(
    `select ticket_id, message_id from email_message where ticket_id = any(?::uuid[]) and (direction = ? or proves_thread) order by created_at, id`,
    [pgArray(ticketIds), EmailDirection.OUTBOUND],
  );
  const byTicket = new Map<string, string[]>();
  for (const row of rows) byTicket.set(row.ticket_id, [...(byTicket.get(row.ticket_id) ?? []), row.message_id]);
  return byTicket;
}

/** Mail already decided (and not cancelled) per `<address>:<ticket>` within the cap's window. */
async function recentCounts(em: EntityManager, settings: CustomerMailSettings, decisions: Decision[]): Promise<Map<string, number>> {
  const rows = await em.execute<{ target: string; ticket_id: string; count: string }[]>(
    `select target, ticket_id, count(*)::text as count from delivery
      where channel = 'MAIL' and status <> 'CANCELLED' and ticket_id = any(?::uuid[]) and target = any(?::text[])
        and created_at > now() - make_interval(secs => ?)
      group by target, ticket_id`,
    [pgArray([...new Set(decisions.map((d) => d.ticket.id))]), pgArray([...new Set(decisions.map((d) => d.to.toLowerCase()))]), settings.cap.windowSeconds],
  );
  return new Map(rows.map((row) => [`${row.target}:${row.ticket_id}`, Number(row.count)]));
}

/** Composes the decided mail, threads it, applies the cap, and writes the deliveries and Message-IDs. */
async function queue(em: EntityManager, settings: CustomerMailSettings, decisions: Decision[]): Promise<void> {
  const ticketIds = [...new Set(decisions.map((d) => d.ticket.id))];
  const thread = await threads(em, ticketIds);
  const tokens = await unsubscribeTokens(em, decisions.map((d) => d.to));
  const counts = await recentCounts(em, settings, decisions);
  const ourAddress = addressOf(settings.mailFrom);
  const deliveries: NewDelivery[] = [];
  for (const decision of decisions) {
    const { ticket, entry } = decision;
    const to = decision.to.toLowerCase();
    const unsubscribeUrl = mailLinks.unsubscribe(settings.publicUrl, tokens.get(to)!);
    const composed = composeCustomerMail(decision.content, { repliesReachTicket: settings.replyKey !== null, unsubscribeUrl, optional: decision.optional });
    const earlier = thread.get(ticket.id) ?? [];
    const mail: OutboundMail = {
      to,
      ...composed,
      messageId: newMessageId(settings.mailFrom),
      inReplyTo: earlier.at(-1),
      references: earlier.length > 0 ? [earlier[0], ...earlier.slice(1).slice(-(MAX_REFERENCES - 1))] : undefined,
      replyTo: settings.replyKey ? replyAddress(settings.replyKey, ourAddress, ticket) : undefined,
      headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      kind: decision.content.kind,
      optional: decision.optional,
    };
    const key = `${to}:${ticket.id}`;
    const count = counts.get(key) ?? 0;
    const overCap = count >= settings.cap.perTicket;
    if (!overCap) counts.set(key, count + 1);
    const cancelled = overCap
      ? `Not sent: ${settings.cap.perTicket} mails to this address about this ticket within ${settings.cap.windowSeconds} s already (MAIL_CAP_PER_TICKET, MAIL_CAP_WINDOW).`
      : undefined;
    deliveries.push(mailDelivery(mail, { dedupKey: `${CUSTOMER_MAIL_CONSUMER}:${entry.id}`, ticketId: ticket.id, cancelled }));
    thread.set(ticket.id, [...earlier, mail.messageId]);
    em.create(EmailMessage, { messageId: mail.messageId, ticket, comment: decision.comment, direction: EmailDirection.OUTBOUND, provesThread: true });
  }
  await enqueueDeliveries(em, deliveries);
  await em.flush();
}
