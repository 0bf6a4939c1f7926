import type { EntityManager } from '@mikro-orm/postgresql';
import { Contact } from '../businesses/contact.entity';
import { TicketEventType } from '../tickets/ticket-event.entity';
import type { Ticket } from '../tickets/ticket.entity';
import { recordEvent } from '../tickets/timeline';
import { firstResponded } from '../sla/sla.service';
import type { Actor } from '../users/auth/actor';
import { User } from '../users/user.entity';
import { Comment } from './comment.entity';

/** The name shown on a comment, kept as written even if the account changes later. */
function authorName(actor: Actor): string {
  if (actor.kind === 'anonymous') return 'Anonymous';
  if (actor.kind === 'system') return 'Ticketgraph';
  return actor.name;
}

/**
 * Adds a comment and its COMMENTED entry to the caller's unit of work (permissions are the caller's).
 * Only external comments move `updatedAt`, so nothing a customer can read changes when the team
 * writes a note. The first external comment by staff is the ticket's first response.
 */
export async function writeComment(em: EntityManager, ticket: Ticket, actor: Actor, body: string, isInternal: boolean): Promise<Comment> {
  const comment = em.create(Comment, {
    ticket,
    body,
    isInternal,
    author: actor.kind === 'user' ? em.getReference(User, actor.id) : null,
    authorContact: actor.kind === 'contact' ? em.getReference(Contact, actor.id) : null,
    authorName: authorName(actor),
  });
  recordEvent(em, ticket, actor, TicketEventType.COMMENTED, { isInternal, details: { comment: comment.globalId } });
  if (!isInternal) ticket.updatedAt = comment.createdAt;
  if (!isInternal && actor.kind === 'user' && !ticket.firstRespondedAt) {
    // The first external reply by staff stops the first-response clock.
    await firstResponded(em, ticket, comment.createdAt);
  }
  return comment;
}
