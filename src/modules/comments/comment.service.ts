import type { EntityManager } from '@mikro-orm/postgresql';
import { forbidden, notFound } from '../../shared/errors';
import { idOf, LIMITS, text } from '../../shared/validation';
import { Contact } from '../businesses/contact.entity';
import { TicketEventType } from '../tickets/ticket-event.entity';
import type { Ticket } from '../tickets/ticket.entity';
import { canCommentExternally, canWorkOnTickets } from '../tickets/ticket.policy';
import { ticketScopeWhere } from '../tickets/ticket.scope';
import type { TicketService } from '../tickets/ticket.service';
import { recordEvent } from '../tickets/timeline';
import type { Actor } from '../users/auth/actor';
import { User } from '../users/user.entity';
import { Comment } from './comment.entity';
import type { AddCommentInput } from './comment.inputs';
import { visibleCommentFilter } from './comment.policy';

/** Writing comments, and reading one by id with both visibility rules (ticket scope, internal flag) in the query. */
export class CommentService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly tickets: TicketService,
  ) {}

  async get(commentId: string): Promise<Comment> {
    const id = idOf(commentId, 'Comment', 'id');
    const ticketWhere = ticketScopeWhere(this.actor);
    const comment = ticketWhere
      ? await this.em.findOne(Comment, { id, ...visibleCommentFilter(this.actor), ticket: ticketWhere })
      : null;
    if (!comment) throw notFound('Comment');
    return comment;
  }

  /**
   * Adds a comment under the ticket's row lock. Internal comments are for those who work on tickets;
   * a customer comments only on its business's tickets, and never internally. Only external comments
   * move `updatedAt`, so nothing a customer can read changes when the team writes a note.
   */
  async add(input: AddCommentInput): Promise<{ comment: Comment; ticket: Ticket }> {
    const ticketId = idOf(input.ticketId, 'Ticket', 'ticketId');
    const body = text(input.body, 'body', LIMITS.body);
    const isInternal = input.isInternal ?? false;
    return this.em.transactional(async (em) => {
      const ticket = await this.tickets.lockVisible(em, ticketId);
      const ticketRef = { businessId: ticket.business?.id ?? null };
      if (isInternal ? !canWorkOnTickets(this.actor) : !canCommentExternally(this.actor, ticketRef)) {
        throw forbidden(isInternal ? 'Only the team writes internal comments.' : 'You may not comment on this ticket.');
      }
      const comment = em.create(Comment, {
        ticket,
        body,
        isInternal,
        author: this.actor.kind === 'user' ? em.getReference(User, this.actor.id) : null,
        authorContact: this.actor.kind === 'contact' ? em.getReference(Contact, this.actor.id) : null,
        authorName: this.actor.kind === 'anonymous' ? 'Anonymous' : this.actor.name,
      });
      recordEvent(em, ticket, this.actor, TicketEventType.COMMENTED, { isInternal, details: { comment: comment.globalId } });
      if (!isInternal) ticket.updatedAt = comment.createdAt;
      await em.flush();
      return { comment, ticket };
    });
  }
}
