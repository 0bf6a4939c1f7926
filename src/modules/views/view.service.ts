import type { EntityManager } from '@mikro-orm/postgresql';
import type { ResolveTree } from 'graphql-parse-resolve-info';
import type { Page } from '../../shared/pagination';
import { LIMITS, text } from '../../shared/validation';
import { OwnedRows } from '../access/owned-rows';
import { ticketRule } from '../access/visibility';
import { applyFilter, countTickets } from '../tickets/ticket-list.query';
import type { Ticket } from '../tickets/ticket.entity';
import type { TicketFilter, TicketOrder } from '../tickets/ticket.inputs';
import type { TicketService } from '../tickets/ticket.service';
import type { Actor } from '../users/auth/actor';
import { TicketView } from './view.entity';
import type { CreateViewInput, UpdateViewInput } from './view.inputs';

/** The stored filter as the ticket list takes it: dates come back as Date. */
function filterOf(view: TicketView): TicketFilter {
  const { createdAfter, createdBefore, ...rest } = view.filter as TicketFilter & { createdAfter?: string; createdBefore?: string };
  return { ...rest, createdAfter: createdAfter ? new Date(createdAfter) : null, createdBefore: createdBefore ? new Date(createdBefore) : null };
}

/**
 * Saved views (personal or shared, access/ownership.ts). Their tickets and counts come from the
 * ticket list's own query (tickets/ticket-list.query.ts) under the viewer's ticket rule, so a view
 * shows each agent what that agent may see.
 */
export class ViewService {
  private readonly rows: OwnedRows<TicketView>;

  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly tickets: TicketService,
  ) {
    this.rows = new OwnedRows(em, actor, TicketView, 'TicketView', 'views');
  }

  list(): Promise<TicketView[]> {
    return this.rows.list();
  }

  get(viewId: string): Promise<TicketView> {
    return this.rows.get(viewId);
  }

  create(input: CreateViewInput): Promise<TicketView> {
    return this.rows.create(this.check(input), input.shared ?? false);
  }

  update(input: UpdateViewInput): Promise<TicketView> {
    return this.rows.update(input.viewId, this.check(input));
  }

  delete(viewId: string): Promise<string> {
    return this.rows.delete(viewId);
  }

  /** How many tickets the view lists for this viewer. */
  count(view: TicketView): Promise<number> {
    return countTickets(this.em, { visible: ticketRule(this.actor).sql('t'), filter: filterOf(view) });
  }

  /** A page of the view's tickets, exactly as `tickets(filter, orderBy)` would answer, read with the client's `selection`. */
  ticketsOf(view: TicketView, page: { first?: number | null; after?: string | null }, selection: readonly ResolveTree[]): Promise<Page<Ticket>> {
    return this.tickets.list({ ...page, filter: filterOf(view), orderBy: view.orderBy as TicketOrder | null }, selection);
  }

  /** The stored fields, checked as the ticket list checks its arguments (nothing runs). */
  private check(input: CreateViewInput | UpdateViewInput) {
    const name = text(input.name, 'name', LIMITS.name);
    applyFilter(this.em.getKnex()('ticket as t'), input.filter);
    return {
      name,
      // Through JSON: dates become strings, omitted fields disappear.
      filter: JSON.parse(JSON.stringify(input.filter ?? {})) as Record<string, unknown>,
      orderBy: input.orderBy ? { field: input.orderBy.field, direction: input.orderBy.direction } : null,
    };
  }
}
