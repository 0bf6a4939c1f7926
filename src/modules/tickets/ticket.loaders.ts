import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { childPageLoaders } from '../../shared/child-pages';
import { entityLoader } from '../../shared/entity-loader';
import { canSeeInternal } from '../comments/comment.policy';
import type { Actor } from '../users/auth/actor';
import { TicketEvent } from './ticket-event.entity';
import { Ticket } from './ticket.entity';
import { ticketScopeWhere } from './ticket.scope';

/** Tickets the viewer may see, by id, and timeline pages per ticket with the internal-entry rule in the SQL. */
export function createTicketLoaders(em: EntityManager, actor: Actor) {
  const where = ticketScopeWhere(actor);
  const history = childPageLoaders(em, {
    entity: TicketEvent,
    table: 'ticket_event',
    parentColumn: 'ticket_id',
    visibility: canSeeInternal(actor) ? '' : 'is_internal = false',
  });
  return {
    visibleTickets: where ? entityLoader(em, Ticket, where) : new DataLoader<string, Ticket | null>(async (ids) => ids.map(() => null)),
    historyPages: history.pages,
    historyCounts: history.counts,
  };
}
