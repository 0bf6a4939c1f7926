import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, badInput } from '../../shared/errors';
import { dueDate, LIMITS, optionalText, text } from '../../shared/validation';
import { issueSatisfactionToken } from '../satisfaction/satisfaction.service';
import { writeComment } from '../comments/write-comment';
import type { Actor } from '../users/auth/actor';
import { User } from '../users/user.entity';
import { allowedTransitions, canTransition, requiredExplanation, type Mover } from './status-machine';
import { TicketEventType } from './ticket-event.entity';
import type { Ticket } from './ticket.entity';
import { TicketStatus } from './ticket.enums';
import type { ChangeTicketStatusInput, ReopenTicketInput, ResolveTicketInput, SetTicketDueDateInput, TicketRefInput } from './ticket.inputs';
import { canWorkOnTickets } from './ticket.policy';
import type { TicketService } from './ticket.service';
import { recordEvent, type EventFields } from './timeline';
import type { SlaService } from '../sla/sla.service';

interface Move {
  ticketId: string;
  to: TicketStatus;
  /** The reason, or the resolution notes when resolving. */
  explanation: string | null;
  notifyCustomer: boolean;
  expectedVersion?: number | null;
}

/**
 * Status changes, driven by the pure table of status-machine.ts. A refused move answers
 * INVALID_TRANSITION with the allowed targets and writes nothing; a move with a reason records it on
 * the timeline entry and as a comment. The move is always visible to the ticket's customer; the
 * reason (on the entry, as the comment, as resolution notes) is internal unless the customer is told.
 */
export class TicketWorkflowService {
  constructor(
    private readonly actor: Actor,
    private readonly tickets: TicketService,
    private readonly sla: SlaService,
  ) {}

  /** Who the actor is for the status table; null when it may move nothing on this ticket. */
  private mover(ticket: Ticket): Mover | null {
    if (canWorkOnTickets(this.actor)) return 'staff';
    return this.actor.kind === 'contact' && ticket.business?.id === this.actor.businessId ? 'customer' : null;
  }

  /** The statuses the viewer may move this ticket to now. */
  availableTransitions(ticket: Ticket): TicketStatus[] {
    const mover = this.mover(ticket);
    return mover ? allowedTransitions(ticket.status, mover) : [];
  }

  changeStatus(input: ChangeTicketStatusInput): Promise<Ticket> {
    return this.move({
      ticketId: input.ticketId,
      to: input.status,
      explanation: optionalText(input.reason, 'reason', input.status === TicketStatus.RESOLVED ? LIMITS.body : LIMITS.reason),
      notifyCustomer: input.notifyCustomer ?? false,
      expectedVersion: input.expectedVersion,
    });
  }

  /** `em`: inside the caller's transaction (a parent resolving its children, see modules/links). */
  resolve(input: ResolveTicketInput, em?: EntityManager): Promise<Ticket> {
    return this.move({
      ticketId: input.ticketId,
      to: TicketStatus.RESOLVED,
      explanation: text(input.resolutionNotes, 'resolutionNotes', LIMITS.body),
      notifyCustomer: input.notifyCustomer ?? false,
      expectedVersion: input.expectedVersion,
    }, em);
  }

  confirmResolution(input: TicketRefInput): Promise<Ticket> {
    return this.move({ ticketId: input.ticketId, to: TicketStatus.CLOSED, explanation: null, notifyCustomer: false, expectedVersion: input.expectedVersion });
  }

  reopen(input: ReopenTicketInput): Promise<Ticket> {
    return this.move({
      ticketId: input.ticketId,
      to: TicketStatus.IN_PROGRESS,
      explanation: text(input.reason, 'reason', LIMITS.reason),
      notifyCustomer: input.notifyCustomer ?? false,
      expectedVersion: input.expectedVersion,
    });
  }

  /** A due date set by hand, with the justification kept on the (internal) timeline entry. */
  setDueDate(input: SetTicketDueDateInput): Promise<Ticket> {
    const justification = text(input.justification, 'justification', LIMITS.reason);
    return this.tickets.change(input.ticketId, input.expectedVersion, async (em, ticket) => {
      dueDate(input.dueAt, 'dueAt', ticket.createdAt);
      recordEvent(em, ticket, this.actor, TicketEventType.DUE_DATE_CHANGED, {
        reason: justification,
        isInternal: true,
        details: { from: ticket.dueAt?.toISOString() ?? null, to: input.dueAt.toISOString() },
      });
      ticket.dueAt = input.dueAt;
      ticket.dueAtManual = true;
      return true;
    });
  }

  /** A move addressed to a merged ticket moves the ticket it was merged into. */
  private move(move: Move, outer?: EntityManager): Promise<Ticket> {
    return this.tickets.change(
      move.ticketId,
      move.expectedVersion,
      async (em, ticket) => {
        const from = ticket.status;
        const mover = this.mover(ticket)!;
        if (!canTransition(from, move.to, mover)) {
          const allowed = allowedTransitions(from, mover);
          throw new AppError('INVALID_TRANSITION', `A ticket cannot move from ${from} to ${move.to}${allowed.length ? `; allowed: ${allowed.join(', ')}` : ''}.`, {
            from,
            to: move.to,
            allowed,
          });
        }
        const needed = requiredExplanation(from, move.to);
        if (needed && !move.explanation) throw badInput(`Moving to ${move.to} needs ${needed === 'reason' ? 'a reason' : 'resolution notes'}.`, needed);

        // A customer's own words are visible to it; staff reasons are internal unless the customer is told.
        const internal = mover === 'staff' && !move.notifyCustomer;
        await this.transition(em, ticket, move.to, { reason: move.explanation, reasonInternal: move.explanation !== null && internal });
        if (move.explanation) await writeComment(em, ticket, this.actor, move.explanation, internal);
        return true;
      },
      { customerMay: true, followMerge: true, em: outer },
    );
  }

  /**
   * A reply from the ticket's customer hands the ticket back to the team: WAITING_ON_CUSTOMER and
   * RESOLVED move to IN_PROGRESS. Runs inside the caller's locked change; answers whether it moved.
   */
  async customerReplied(em: EntityManager, ticket: Ticket, customer: Actor = this.actor): Promise<boolean> {
    if (ticket.status !== TicketStatus.WAITING_ON_CUSTOMER && ticket.status !== TicketStatus.RESOLVED) return false;
    await this.transition(em, ticket, TicketStatus.IN_PROGRESS, { details: { trigger: 'CUSTOMER_REPLY' } }, customer);
    return true;
  }

  /**
   * Moves the status with the fields and clocks that go with it, and records the STATUS_CHANGED entry.
   * No check of the status table: callers check it, or make a move outside it on purpose (a merge
   * closes its sources, an unmerge restores them), on a ticket they locked.
   */
  async transition(em: EntityManager, ticket: Ticket, to: TicketStatus, fields: EventFields, actor = this.actor): Promise<void> {
    const from = ticket.status;
    await this.applyStatus(em, ticket, to, fields.reason ?? null, fields.reasonInternal ?? false);
    recordEvent(em, ticket, actor, TicketEventType.STATUS_CHANGED, { ...fields, fromStatus: from, toStatus: to });
  }

  /** The fields that go with a status: who works on it, when it was resolved or closed, and the SLA clocks. */
  private async applyStatus(em: EntityManager, ticket: Ticket, to: TicketStatus, explanation: string | null, internal: boolean): Promise<void> {
    const now = new Date();
    await this.sla.statusChanging(em, ticket, to, now);
    if (to === TicketStatus.IN_PROGRESS && ticket.status === TicketStatus.OPEN && !ticket.assignee && this.actor.kind === 'user') {
      // Starting work on an unowned ticket makes it yours.
      ticket.assignee = em.getReference(User, this.actor.id);
      recordEvent(em, ticket, this.actor, TicketEventType.ASSIGNED, { details: { from: null, to: ticket.assignee.globalId } });
    }
    if (to === TicketStatus.RESOLVED) {
      ticket.resolvedAt = now;
      ticket.resolutionNotes = explanation;
      ticket.resolutionNotesInternal = internal;
      // The resolution mail carries it, so a submitter without a login can rate the ticket.
      await issueSatisfactionToken(em, ticket);
    }
    if (to === TicketStatus.CLOSED) ticket.closedAt = now;
    if (ticket.status === TicketStatus.RESOLVED && to === TicketStatus.IN_PROGRESS) {
      ticket.resolvedAt = null;
      ticket.closedAt = null;
    }
    ticket.status = to;
  }
}
