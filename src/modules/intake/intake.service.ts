import type { EntityManager } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { email, LIMITS, optionalText, text } from '../../shared/validation';
import { Business } from '../businesses/business.entity';
import { Contact } from '../businesses/contact.entity';
import type { SlaService } from '../sla/sla.service';
import { TicketEventType } from '../tickets/ticket-event.entity';
import { Ticket } from '../tickets/ticket.entity';
import { TicketChannel, TicketPriority, TicketStatus } from '../tickets/ticket.enums';
import type { SubmitTicketInput } from '../tickets/ticket.inputs';
import { recordEvent } from '../tickets/timeline';
import { SYSTEM, type Actor } from '../users/auth/actor';
import { writeComment } from '../comments/write-comment';
import type { TicketWorkflowService } from '../tickets/ticket-workflow.service';
import { LockMode } from '@mikro-orm/core';
import type { EmailCheck } from './email-check.enum';
import { consume } from './rate-limit';
import { matchSender, NO_MATCH, senderActor, type SenderMatch } from './sender';

/** A ticket from outside: the web form or an email. Fields are already checked. */
export interface SenderTicket {
  title: string;
  description: string;
  channel: TicketChannel;
  senderName: string | null;
  senderEmail: string | null;
  companyName: string | null;
  phone: string | null;
}

/** A reference a submitter can quote: the number plus a random part nobody can guess. */
function newReference(number: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const random = [...randomBytes(4)].map((b) => alphabet[b % alphabet.length]).join('');
  return `TG-${number}-${random}`;
}

/**
 * Tickets that come from outside the team: the public web form (rate-limited per client address) and
 * inbound email. A ticket from a known sender is linked at once and starts OPEN; any other waits in
 * UNASSIGNED with what the sender told us, for triage.
 */
export class IntakeService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly sla: SlaService,
    private readonly workflow: TicketWorkflowService,
    private readonly limiter: RateLimiterAbstract,
    private readonly clientAddress: string,
  ) {}

  async submitWebForm(input: SubmitTicketInput): Promise<Ticket> {
    const fields: SenderTicket = {
      title: text(input.title, 'title', LIMITS.title),
      description: text(input.description, 'description', LIMITS.body),
      channel: TicketChannel.WEB_FORM,
      senderName: text(input.name, 'name', LIMITS.name),
      senderEmail: email(input.email, 'email'),
      companyName: optionalText(input.companyName, 'companyName', LIMITS.name),
      phone: optionalText(input.phone, 'phone', LIMITS.phone),
    };
    // Only well-formed submissions count against the limit.
    await consume(this.limiter, this.clientAddress);
    return this.em.transactional(async (em) => (await this.openFromSender(em, fields)).ticket);
  }

  /**
   * Creates the ticket inside the caller's transaction. A signed-in customer's ticket belongs to its
   * business; otherwise the sender's address decides (see matchSender).
   */
  async openFromSender(em: EntityManager, input: SenderTicket): Promise<{ ticket: Ticket; match: SenderMatch }> {
    const match: SenderMatch =
      this.actor.kind === 'contact'
        ? { contact: em.getReference(Contact, this.actor.id), business: em.getReference(Business, this.actor.businessId) }
        : await matchSender(em, input.senderEmail);
    return this.open(em, input, match);
  }

  /**
   * A ticket from an email whose sender failed the mail checks, inside the caller's transaction: what
   * the sender says is kept, but it is linked to no business or contact (UNASSIGNED, for triage), so no
   * customer sees it, and an internal note from Ticketgraph says why.
   */
  async openUnverified(em: EntityManager, input: SenderTicket, why: string, check: EmailCheck): Promise<{ ticket: Ticket }> {
    const { ticket } = await this.open(em, input, NO_MATCH);
    const note = await writeComment(em, ticket, SYSTEM, why, true);
    note.emailCheck = check;
    return { ticket };
  }

  private async open(em: EntityManager, input: SenderTicket, match: SenderMatch): Promise<{ ticket: Ticket; match: SenderMatch }> {
    const ticket = em.create(Ticket, {
      title: input.title,
      description: input.description,
      channel: input.channel,
      priority: TicketPriority.MEDIUM,
      status: match.business ? TicketStatus.OPEN : TicketStatus.UNASSIGNED,
      business: match.business,
      contact: match.contact,
      submitterName: input.senderName,
      submitterEmail: input.senderEmail,
      submittedCompanyName: input.companyName,
      submitterPhone: input.phone,
    });
    await this.sla.setDueDates(em, ticket);
    const author = this.actor.kind === 'anonymous' && input.senderEmail ? senderActor(match, input.senderName, input.senderEmail) : this.actor;
    recordEvent(em, ticket, author, TicketEventType.CREATED, { toStatus: ticket.status, details: { channel: input.channel } });
    if (match.business) {
      recordEvent(em, ticket, author, TicketEventType.LINKED, {
        details: {
          business: match.business.globalId,
          contact: match.contact?.globalId ?? null,
          automatic: match.contact ? 'CONTACT_EMAIL' : 'EMAIL_DOMAIN',
        },
      });
    }
    await em.flush();
    // The number comes from the database sequence, so the reference is written once it is known.
    ticket.reference = newReference(ticket.number);
    await em.flush();
    return { ticket, match };
  }

  /**
   * A reply from outside (an email) on an existing ticket, inside the caller's transaction: an
   * external comment under the ticket's row lock, from the contact when the address is known. A reply
   * from the ticket's customer (its contact, a contact of its business, or its original submitter)
   * hands a ticket waiting on it, or resolved, back to the team.
   */
  async replyFromSender(em: EntityManager, ticketId: string, sender: { name: string | null; email: string }, body: string) {
    const ticket = await em.findOneOrFail(Ticket, { id: ticketId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const match = await matchSender(em, sender.email);
    const author = senderActor(match, sender.name, sender.email);
    const comment = await writeComment(em, ticket, author, body, false);
    const fromCustomer =
      (match.contact !== null && match.contact.business.id === ticket.business?.id) || sender.email.toLowerCase() === ticket.submitterEmail;
    if (fromCustomer && (await this.workflow.customerReplied(em, ticket, author))) {
      ticket.version += 1;
      ticket.updatedAt = new Date();
    }
    return { ticket, comment };
  }

  /**
   * An inbound email that may not act as its sender (a failed sender check, automatic mail, a thread
   * named only by the subject), inside the caller's transaction: an internal note on the ticket by the
   * bare sender address, never by the contact, marked with why; it moves no status.
   */
  async noteFromSender(em: EntityManager, ticketId: string, sender: { name: string | null; email: string }, body: string, check: EmailCheck) {
    const ticket = await em.findOneOrFail(Ticket, { id: ticketId });
    const comment = await writeComment(em, ticket, senderActor(NO_MATCH, sender.name, sender.email), body, true);
    comment.emailCheck = check;
    return { ticket, comment };
  }
}
