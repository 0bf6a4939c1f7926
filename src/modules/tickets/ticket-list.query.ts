import type { EntityManager } from '@mikro-orm/postgresql';
import type { Knex } from '@mikro-orm/knex';
import { badInput } from '../../shared/errors';
import { decodeCursor, encodeCursor, pageFromRows, pageSize, type Page } from '../../shared/pagination';
import { LIMITS, optionalIdOf } from '../../shared/validation';
import { escapeLike, pgArray } from '../../shared/sql';
import { TagService } from '../tags/tag.service';
import { FINISHED_STATUSES, Ticket } from './ticket.entity';
import { OrderDirection, TicketOrderField } from './ticket.enums';
import type { TicketFilter, TicketOrder } from './ticket.inputs';
import type { SqlCondition } from '../access/visibility';

/** The column behind each ordering; every ordering ends with `id` so the keyset is total. */
const SORT_COLUMNS: Record<TicketOrderField, { column: string; kind: 'time' | 'number'; nullable: boolean }> = {
  [TicketOrderField.CREATED_AT]: { column: 't.created_at', kind: 'time', nullable: false },
  [TicketOrderField.UPDATED_AT]: { column: 't.updated_at', kind: 'time', nullable: false },
  [TicketOrderField.DUE_AT]: { column: 't.due_at', kind: 'time', nullable: true },
  [TicketOrderField.PRIORITY]: { column: 't.priority_rank', kind: 'number', nullable: false },
  [TicketOrderField.NUMBER]: { column: 't.number', kind: 'number', nullable: false },
};

export const DEFAULT_ORDER: TicketOrder = { field: TicketOrderField.CREATED_AT, direction: OrderDirection.DESC };

function likePattern(search: string): string {
  return `%${escapeLike(search)}%`;
}

/** Adds the filter to a query over `ticket t`. Validates the filter first. */
export function applyFilter(q: Knex.QueryBuilder, filter: TicketFilter | null | undefined): void {
  if (!filter) return;

  const assigneeId = optionalIdOf(filter.assigneeId, 'User', 'filter.assigneeId');
  const businessId = optionalIdOf(filter.businessId, 'Business', 'filter.businessId');
  const tags = filter.tags ? TagService.normalize(filter.tags, 'filter.tags') : null;
  const search = filter.search?.trim() ?? '';
  if (search.length > LIMITS.search) throw badInput(`search must be at most ${LIMITS.search} characters.`, 'filter.search');

  if (filter.status) q.whereIn('t.status', filter.status);
  if (filter.priority) q.whereIn('t.priority', filter.priority);
  if (assigneeId) q.where('t.assignee_id', assigneeId);
  if (businessId) q.where('t.business_id', businessId);
  if (tags && tags.length > 0) {
    q.whereRaw(
      `exists (select 1 from ticket_tag tt join tag g on g.id = tt.tag_id
               where tt.ticket_id = t.id and lower(g.name) = any(?::text[]))`,
      [pgArray(tags.map((tag) => tag.toLowerCase()))],
    );
  }
  // The same predicate as the partial index ticket_overdue_idx, so the planner can use it.
  const overdue = `(t.due_at < now() and t.status not in (${FINISHED_STATUSES.map(() => '?').join(', ')}) and t.sla_paused_since is null)`;
  if (filter.overdue === true) q.whereRaw(overdue, [...FINISHED_STATUSES]);
  if (filter.overdue === false) q.whereRaw(`not coalesce(${overdue}, false)`, [...FINISHED_STATUSES]);
  if (search) {
    const pattern = likePattern(search);
    q.where((w) => w.whereRaw('t.title ilike ?', [pattern]).orWhereRaw('t.description ilike ?', [pattern]));
  }
  if (filter.createdAfter) q.where('t.created_at', '>=', filter.createdAfter);
  if (filter.createdBefore) q.where('t.created_at', '<', filter.createdBefore);
  if (filter.updatedAfter) q.where('t.updated_at', '>=', filter.updatedAfter);
}

/** Decodes a cursor made by this ordering; a cursor of another ordering or list is refused. */
function keyset(after: string, order: TicketOrder): { value: string | number | null; id: string } {
  const [tag, value, id] = decodeCursor(after, 3);
  const sort = SORT_COLUMNS[order.field];
  const valueOk = value === null ? sort.nullable : sort.kind === 'number' ? typeof value === 'number' : typeof value === 'string';
  if (tag !== `${order.field}:${order.direction}` || typeof id !== 'string' || !valueOk) {
    throw badInput('after is not a cursor from this list and ordering.', 'after');
  }
  return { value, id };
}

/** Rows after the cursor in the given order. Missing due dates sort last in both directions. */
function applyKeyset(q: Knex.QueryBuilder, order: TicketOrder, after: { value: string | number | null; id: string }): void {
  const { column } = SORT_COLUMNS[order.field];
  const op = order.direction === OrderDirection.ASC ? '>' : '<';
  if (after.value === null) {
    q.whereRaw(`(${column} is null and t.id ${op} ?)`, [after.id]);
  } else {
    q.where((w) => {
      w.whereRaw(`(${column}, t.id) ${op} (?, ?)`, [after.value, after.id]);
      if (SORT_COLUMNS[order.field].nullable) w.orWhereRaw(`${column} is null`);
    });
  }
}

function cursorOf(ticket: Ticket, order: TicketOrder): string {
  const value = {
    [TicketOrderField.CREATED_AT]: () => ticket.createdAt.toISOString(),
    [TicketOrderField.UPDATED_AT]: () => ticket.updatedAt.toISOString(),
    [TicketOrderField.DUE_AT]: () => ticket.dueAt?.toISOString() ?? null,
    [TicketOrderField.PRIORITY]: () => ['LOW', 'MEDIUM', 'HIGH', 'URGENT'].indexOf(ticket.priority),
    [TicketOrderField.NUMBER]: () => ticket.number,
  }[order.field]();
  return encodeCursor([`${order.field}:${order.direction}`, value, ticket.id]);
}

export interface TicketListArgs {
  /** The viewer's ticket rule over `t` (visibility.ts: ticketRule(actor).sql('t')). */
  visible: SqlCondition;
  filter?: TicketFilter | null;
  orderBy?: TicketOrder | null;
  first?: number | null;
  after?: string | null;
}

/**
 * One page of tickets: a single keyset query (`limit first + 1`), given to `read` (ticket-read.ts,
 * which reads what the selection needs with it) with its ordering over `t`; plus a count with the
 * same conditions that runs only if `totalCount` is read. Everything is validated before any SQL runs.
 */
export async function listTickets(
  em: EntityManager,
  args: TicketListArgs,
  read: (tickets: { sql: string; bindings: unknown[] }, order: string) => Promise<Ticket[]>,
): Promise<Page<Ticket>> {
  const order = args.orderBy ?? DEFAULT_ORDER;
  const limit = pageSize(args.first);
  const after = args.after ? keyset(args.after, order) : null;
  const base = filtered(em, args);

  const { column, nullable } = SORT_COLUMNS[order.field];
  const direction = order.direction === OrderDirection.ASC ? 'asc' : 'desc';
  const rowsQuery = base.clone().select('t.*');
  if (after) applyKeyset(rowsQuery, order, after);
  const ordering = `${column} ${direction}${nullable ? ' nulls last' : ''}, t.id ${direction}`;
  rowsQuery.orderByRaw(ordering).limit(limit + 1);

  const { sql, bindings } = rowsQuery.toSQL();
  const tickets = await read({ sql, bindings: [...bindings] }, ordering);
  return pageFromRows(tickets, limit, args.after, (t) => cursorOf(t, order), () => countRows(em, base));
}

async function countRows(em: EntityManager, query: Knex.QueryBuilder): Promise<number> {
  const [{ count }] = await em.execute<{ count: string }[]>(query.clone().count({ count: '*' }));
  return Number(count);
}

/** How many tickets the list would hold: the `totalCount` of listTickets, without reading a page. */
export function countTickets(em: EntityManager, args: Pick<TicketListArgs, 'visible' | 'filter'>): Promise<number> {
  return countRows(em, filtered(em, args));
}

/** The visible, filtered tickets as a query over `ticket t`. */
function filtered(em: EntityManager, args: Pick<TicketListArgs, 'visible' | 'filter'>): Knex.QueryBuilder {
  const base = em.getKnex()('ticket as t');
  base.whereRaw(args.visible.sql, args.visible.bindings);
  applyFilter(base, args.filter);
  return base;
}
