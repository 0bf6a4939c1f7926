import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { badInput, conflict, forbidden, notFound } from '../../shared/errors';
import { idOf, LIMITS, optionalText } from '../../shared/validation';
import { Contact } from '../businesses/contact.entity';
import { TicketEventType } from '../tickets/ticket-event.entity';
import { FINISHED_STATUSES, Ticket } from '../tickets/ticket.entity';
import { recordEvent } from '../tickets/timeline';
import type { Actor } from '../users/auth/actor';
import { ticketRule } from '../access/visibility';
import { canRate } from './satisfaction.policy';
import type { RateTicketInput } from './satisfaction.inputs';
import { SatisfactionRating } from './satisfaction-rating.entity';

/**
 * On resolution: a one-time rating token (24 random bytes, URL-safe) for the resolution mail, unless
 * the ticket has one or has been rated already (a ticket is rated once).
 */
export async function issueSatisfactionToken(em: EntityManager, ticket: Ticket): Promise<void> {
  if (ticket.satisfactionToken || (await em.count(SatisfactionRating, { ticket: ticket.id }))) return;
  ticket.satisfactionToken = randomBytes(24).toString('base64url');
}

function sameToken(given: string, expected: string | null): boolean {
  if (!expected || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/** Ratings: once per resolved ticket, by its contact or with its one-time token; recorded on the timeline. */
export class SatisfactionService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
  ) {}

  async rate(input: RateTicketInput): Promise<SatisfactionRating> {
    const id = idOf(input.ticketId, 'Ticket', 'ticketId');
    if (!Number.isInteger(input.score) || input.score < 1 || input.score > 5) throw badInput('score must be a whole number from 1 to 5.', 'score');
    const comment = optionalText(input.comment, 'comment', LIMITS.body);
    if (input.token !== null && input.token !== undefined && input.token.length > 64) throw badInput('token is not a rating token.', 'token');

    try {
      return await this.em.transactional(async (em) => {
        const ticket = await em.findOne(Ticket, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
        const tokenMatches = !!ticket && !!input.token && sameToken(input.token, ticket.satisfactionToken);
        // Without the token, a ticket outside the caller's scope does not exist for it.
        if (!ticket || (!tokenMatches && !ticketRule(this.actor).allows({ businessId: ticket.business?.id ?? null }))) throw notFound('Ticket');
        if (!canRate(this.actor, { contactId: ticket.contact?.id ?? null }, tokenMatches)) {
          throw forbidden(input.token ? 'The rating token is not valid (wrong, or already used).' : "Only the ticket's contact rates it, or whoever holds its rating token.");
        }
        if (!FINISHED_STATUSES.includes(ticket.status)) throw conflict('Only a resolved or closed ticket can be rated.', { status: ticket.status });
        if (await em.count(SatisfactionRating, { ticket: ticket.id })) throw conflict('This ticket has been rated already.');

        const rating = em.create(SatisfactionRating, {
          ticket,
          score: input.score,
          comment,
          contact: this.actor.kind === 'contact' ? em.getReference(Contact, this.actor.id) : null,
        });
        ticket.satisfactionToken = null;
        ticket.satisfactionScore = input.score;
        recordEvent(em, ticket, this.actor, TicketEventType.SATISFACTION_RATED, { details: { score: input.score } });
        await em.flush();
        return rating;
      });
    } catch (error) {
      // Two ratings at once: the primary key lets one through.
      if (error instanceof UniqueConstraintViolationException) throw conflict('This ticket has been rated already.');
      throw error;
    }
  }
}
