import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, badInput, notFound } from '../../shared/errors';
import { decodeCursor, encodeCursor, pageFromRows, pageSize, type Page } from '../../shared/pagination';
import { idOf, LIMITS, optionalText, text } from '../../shared/validation';
import { TicketEventType } from '../tickets/ticket-event.entity';
import { FINISHED_STATUSES, Ticket } from '../tickets/ticket.entity';
import type { TicketService } from '../tickets/ticket.service';
import { recordEvent } from '../tickets/timeline';
import { denied } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import { User } from '../users/user.entity';
import { FollowUp } from './follow-up.entity';
import type { CompleteFollowUpInput, ScheduleFollowUpInput } from './follow-up.inputs';

/**
 * Follow-ups: staff schedule them on resolved tickets, see their own due ones, and complete them.
 * Both steps are recorded on the ticket's timeline as internal entries.
 */
export class FollowUpService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly tickets: TicketService,
  ) {}

  private staffId(): string {
    if (this.actor.kind !== 'user') throw denied(this.actor, 'Follow-ups belong to staff members.');
    return this.actor.id;
  }

  /** One of the viewer's own follow-ups. */
  get(followUpId: string): Promise<FollowUp> {
    return this.findMine(this.em, idOf(followUpId, 'FollowUp', 'id'));
  }

  /** The rule for reading and changing a follow-up: only its owner; NOT_FOUND for anyone else (existence does not leak). */
  private async findMine(em: EntityManager, id: string, options: { lockMode?: LockMode.PESSIMISTIC_WRITE } = {}): Promise<FollowUp> {
    const followUp = this.actor.kind === 'user' ? await em.findOne(FollowUp, { id, owner: this.actor.id }, options) : null;
    if (!followUp) throw notFound('FollowUp');
    return followUp;
  }

  async schedule(input: ScheduleFollowUpInput, now = new Date()): Promise<FollowUp> {
    const owner = this.staffId();
    const note = text(input.note, 'note', LIMITS.reason);
    if (Number.isNaN(input.dueAt.getTime()) || input.dueAt <= now) throw badInput('dueAt must be in the future.', 'dueAt');
    let followUp: FollowUp | undefined;
    await this.tickets.change(input.ticketId, null, async (em, ticket) => {
      if (!FINISHED_STATUSES.includes(ticket.status)) {
        throw new AppError('INVALID_TRANSITION', 'Follow-ups are scheduled once a ticket is resolved.', { from: ticket.status, allowed: FINISHED_STATUSES });
      }
      followUp = em.create(FollowUp, { ticket, owner: em.getReference(User, owner), dueAt: input.dueAt, note });
      recordEvent(em, ticket, this.actor, TicketEventType.FOLLOW_UP_SCHEDULED, {
        isInternal: true,
        details: { followUp: followUp.globalId, dueAt: input.dueAt.toISOString(), note },
      });
      return false;
    });
    return followUp!;
  }

  /** The viewer's pending follow-ups, soonest first; `dueOnly` keeps those due by `now`. */
  async mine(args: { dueOnly: boolean; first?: number | null; after?: string | null }, now = new Date()): Promise<Page<FollowUp>> {
    const owner = this.staffId();
    const limit = pageSize(args.first);
    const where: Record<string, unknown> = { owner, completedAt: null };
    if (args.dueOnly) where.dueAt = { $lte: now };
    if (args.after) {
      const [dueAt, id] = decodeCursor(args.after, 2);
      if (typeof dueAt !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(dueAt))) {
        throw badInput('after is not a cursor from this list.', 'after');
      }
      where.$or = [{ dueAt: { $gt: new Date(dueAt) } }, { dueAt: new Date(dueAt), id: { $gt: id } }];
    }
    const rows = await this.em.find(FollowUp, where, { orderBy: { dueAt: 'asc', id: 'asc' }, limit: limit + 1 });
    const { $or: _keyset, ...countWhere } = where;
    return pageFromRows(rows, limit, args.after, (f) => encodeCursor([f.dueAt.toISOString(), f.id]), () => this.em.count(FollowUp, countWhere));
  }

  /** Completes one of the viewer's own follow-ups (another's answers NOT_FOUND, as when reading it). */
  async complete(input: CompleteFollowUpInput, now = new Date()): Promise<FollowUp> {
    const completer = this.staffId();
    const id = idOf(input.followUpId, 'FollowUp', 'followUpId');
    const note = optionalText(input.note, 'note', LIMITS.reason);
    return this.em.transactional(async (em) => {
      const followUp = await this.findMine(em, id, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (followUp.completedAt) throw new AppError('CONFLICT', 'This follow-up is already completed.', { completedAt: followUp.completedAt.toISOString() });
      Object.assign(followUp, { completedAt: now, completedBy: em.getReference(User, completer), completionNote: note });
      const ticket = await em.findOneOrFail(Ticket, { id: followUp.ticket.id });
      recordEvent(em, ticket, this.actor, TicketEventType.FOLLOW_UP_COMPLETED, {
        isInternal: true,
        details: { followUp: followUp.globalId, note },
      });
      return followUp;
    });
  }
}
