import type { EntityManager } from '@mikro-orm/postgresql';
import { denied } from '../users/auth/access';
import { LIMITS, text } from '../../shared/validation';
import type { Ticket } from '../tickets/ticket.entity';
import { canCommentExternally, canWorkOnTickets } from '../tickets/ticket.policy';
import { findVisible } from '../access/find-visible';
import { commentRule } from '../access/visibility';
import type { TicketService } from '../tickets/ticket.service';
import type { TicketWorkflowService } from '../tickets/ticket-workflow.service';
import type { Actor } from '../users/auth/actor';
import { Comment } from './comment.entity';
import type { AddCommentInput } from './comment.inputs';
import { writeComment } from './write-comment';

/** Writing comments, and reading one by id with both visibility rules (ticket scope, internal flag) in the query. */
export class CommentService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly tickets: TicketService,
    private readonly workflow: TicketWorkflowService,
  ) {}

  get(commentId: string): Promise<Comment> {
    return findVisible(this.em, Comment, 'Comment', commentId, commentRule(this.actor).where);
  }

  /**
   * Adds a comment under the ticket's row lock. Internal comments are for those who work on tickets;
   * a customer comments only on its business's tickets, never internally, and its reply hands a
   * ticket waiting on it (or resolved) back to the team. A comment on a merged ticket lands on the
   * ticket it was merged into.
   */
  async add(input: AddCommentInput): Promise<{ comment: Comment; ticket: Ticket }> {
    const body = text(input.body, 'body', LIMITS.body);
    const isInternal = input.isInternal ?? false;
    let comment: Comment | undefined;
    const ticket = await this.tickets.change(
      input.ticketId,
      input.expectedVersion,
      async (em, locked) => {
        const ticketRef = { businessId: locked.business?.id ?? null };
        if (isInternal ? !canWorkOnTickets(this.actor) : !canCommentExternally(this.actor, ticketRef)) {
          throw denied(this.actor, isInternal ? 'Only the team writes internal comments.' : 'You may not comment on this ticket.');
        }
        comment = await writeComment(em, locked, this.actor, body, isInternal);
        return this.actor.kind === 'contact' && this.workflow.customerReplied(em, locked);
      },
      { customerMay: true, followMerge: true },
    );
    return { comment: comment!, ticket };
  }
}
