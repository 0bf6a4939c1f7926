import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { childPageLoaders } from '../../shared/child-pages';
import { entityLoader } from '../../shared/entity-loader';
import { ticketRule, timelineRule } from '../access/visibility';
import type { Actor } from '../users/auth/actor';
import { TicketEvent } from './ticket-event.entity';
import { Ticket } from './ticket.entity';

/** Tickets the viewer may see, by id, and timeline pages per ticket with the viewer's rule in the SQL. */
export function createTicketLoaders(em: EntityManager, actor: Actor) {
  const where = ticketRule(actor).where;
  const history = childPageLoaders(em, {
    entity: TicketEvent,
    table: 'ticket_event',
    parentColumn: 'ticket_id',
    parentProperty: 'ticket',
    visibility: timelineRule(actor).sql,
  });
  return {
    visibleTickets: where ? entityLoader(em, Ticket, where) : new DataLoader<string, Ticket | null>(async (ids) => ids.map(() => null)),
    history,
    historyPages: history.pages,
    historyCounts: history.counts,
  };
}
