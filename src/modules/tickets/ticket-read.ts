import type { EntityManager } from '@mikro-orm/postgresql';
import type DataLoader from 'dataloader';
import type { GraphQLResolveInfo } from 'graphql';
import { parseResolveInfo, type ResolveTree } from 'graphql-parse-resolve-info';
import { childCountsSql, childCursorId, childRowsSql, type ChildPageKey, type ChildPageLoaders } from '../../shared/child-pages';
import { preparedRows } from '../../db/prepared';
import { pageSize } from '../../shared/pagination';
import { plainRows } from '../../shared/plain-rows';
import type { Loaders } from '../../context';
import { businessRule, contactRule, tagRule } from '../access/visibility';
import { Business } from '../businesses/business.entity';
import { Contact } from '../businesses/contact.entity';
import { Comment } from '../comments/comment.entity';
import { Tag } from '../tags/tag.entity';
import type { Actor } from '../users/auth/actor';
import { User } from '../users/user.entity';
import { TicketEvent } from './ticket-event.entity';
import { Ticket } from './ticket.entity';

/**
 * The read model of tickets. A page of tickets (`tickets`, `Business.tickets`) or one ticket
 * (`ticket`) is read in ONE statement together with every row its GraphQL selection will ask the
 * request's loaders for; those rows are put into the loaders (`prime`), so the field resolvers then
 * answer from memory. Rows are plain objects of the entity classes (shared/plain-rows.ts): no ORM
 * hydration on this path. The mapping from the selection to the statement, one CTE or column each:
 *
 * | selected                         | read (with the viewer's rule from access/visibility.ts) | primed loader  |
 * | -------------------------------- | -------------------------------------------------------- | -------------- |
 * | the tickets                      | the caller's query, as CTE `t` (output: see ticketColumns)  | (returned)     |
 * | `business`                       | the page's businesses (businessRule), CTE `b`             | businesses     |
 * | `business { accountManager }`    | their users                                               | users          |
 * | `contact`                        | the page's contacts (contactRule)                         | contacts       |
 * | `assignee`, `creator`            | their users                                               | users          |
 * | `tags`                           | the page's tags, by name (tagRule)                        | tagsByTicket   |
 * | `comments(first, after)`         | the first rows per ticket (commentRule), CTE `c<n>`       | comments       |
 * | `comments { totalCount }`        | visible comments per ticket                               | commentCounts  |
 * | `comments { nodes { author } }`  | their users                                               | users          |
 * | `history(…)`, `{ actor }`        | the same for timeline entries (timelineRule), CTE `h<n>`  | history, users |
 *
 * Anything else the selection asks for (an SLA, attachments, a contact's business, …) is answered by
 * its resolver and loader as on every other path. The access rules are the same ones the loaders
 * apply, taken from visibility.ts; the primed values are exactly what the loaders would have read.
 */

/**
 * What to read: the tickets' SQL (over `ticket t`, selecting `t.*`), the order of the page over `t`, and
 * the Ticket fields the client selected. Without a selection (a caller with no client query behind it)
 * the whole row is read and nothing is primed, so every field is answered, by its own resolver.
 */
export interface TicketRead {
  tickets: { sql: string; bindings: unknown[] };
  order?: string;
  selection?: readonly ResolveTree[];
}

/** The fields selected on objects of `type` below `field` (under any alias or fragment). */
export function selectedFields(field: ResolveTree | undefined, type: string): ResolveTree[] {
  return field ? Object.values(field.fieldsByTypeName[type] ?? {}) : [];
}

const named = (fields: readonly ResolveTree[], name: string) => fields.filter((field) => field.name === name);
const below = (fields: readonly ResolveTree[], name: string, type: string) => named(fields, name).flatMap((field) => selectedFields(field, type));

interface Part {
  name: string;
  sql: string;
  bindings: unknown[];
}

/** One statement's parts: CTEs, then output columns (each one JSON value), bindings in that order. */
class Statement {
  readonly ctes: Part[] = [];
  readonly outputs: Part[] = [];

  cte(name: string, query: { sql: string; bindings: unknown[] }) {
    this.ctes.push({ name, ...query });
  }

  output(name: string, sql: string, bindings: unknown[] = []) {
    this.outputs.push({ name, sql, bindings });
  }

  build() {
    return {
      sql: `with ${this.ctes.map((c) => `${c.name} as (${c.sql})`).join(', ')} select ${this.outputs.map((o) => `(${o.sql}) as "${o.name}"`).join(', ')}`,
      bindings: [...this.ctes, ...this.outputs].flatMap((part) => part.bindings),
    };
  }
}

/**
 * The Ticket fields a resolver's client selected: on the ticket itself (`ticket`, `node`), or on the
 * nodes of a connection (`tickets`). Fields selected on the Node interface (`… on Node { id }`) count too.
 */
export function ticketSelection(info: GraphQLResolveInfo, shape: 'ticket' | 'connection'): ResolveTree[] {
  const tree = parseResolveInfo(info) as ResolveTree | null;
  if (!tree) return [];
  return ['Ticket', 'Node'].flatMap((type) => (shape === 'ticket' ? selectedFields(tree, type) : nodeFields([tree], type)));
}

/**
 * The ticket columns each Ticket field needs besides TICKET_KEY_COLUMNS: its own column, or for a
 * person, business or contact its key (the rest comes from the loaders the statement primes). A
 * selection of these fields alone reads only their columns: a board's answer then carries a few
 * hundred bytes per ticket from PostgreSQL rather than the whole row (about 1.5 KB, issue 19).
 * Any other field (an SLA, notes under their rule, a field another module adds) reads the whole
 * row: a field must be listed here only if its resolver reads nothing else of the ticket.
 */
const TICKET_FIELD_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  __typename: [],
  id: [],
  createdAt: [],
  updatedAt: [],
  dueAt: [],
  number: [],
  priority: [],
  title: ['title'],
  description: ['description'],
  status: ['status'],
  channel: ['channel'],
  resolvedAt: ['resolved_at'],
  closedAt: ['closed_at'],
  version: ['version'],
  assignee: ['assignee_id'],
  business: ['business_id'],
  contact: ['contact_id'],
  creator: ['creator_id'],
  tags: [],
  comments: [],
  history: [],
};

/** Always read: the key, and every column a cursor is made of (ticket-list.query.ts, cursorOf). */
const TICKET_KEY_COLUMNS = ['id', 'created_at', 'updated_at', 'due_at', 'priority', 'number'];

/** The columns of `t` the selected fields need; undefined when one of them needs the whole row. */
export function ticketColumns(fields: readonly ResolveTree[]): string[] | undefined {
  const columns = new Set(TICKET_KEY_COLUMNS);
  for (const field of fields) {
    const needs = Object.hasOwn(TICKET_FIELD_COLUMNS, field.name) ? TICKET_FIELD_COLUMNS[field.name] : undefined;
    if (!needs) return undefined;
    for (const column of needs) columns.add(column);
  }
  return [...columns];
}

/** The fields selected on the nodes of a connection field (`nodes { … }` and `edges { node { … } }`). */
export function nodeFields(connections: readonly ResolveTree[], type: string): ResolveTree[] {
  const inside = connections.flatMap((connection) => selectedFields(connection, `${type}Connection`));
  return [...below(inside, 'nodes', type), ...below(below(inside, 'edges', `${type}Edge`), 'node', type)];
}

/** A child connection of tickets the read model fills: comments or the timeline. */
interface ChildSpec<T extends { id: string }> {
  field: 'comments' | 'history';
  cte: string;
  type: string;
  loaders: ChildPageLoaders<T>;
  entity: new (...args: never[]) => T;
  /** The row as JSON (a bigint column as text: a JSON number would round it). */
  json: (alias: string) => string;
  /** The person field of a node and its column, whose users are read with the rest. */
  person: { field: string; column: string };
}

/**
 * Adds the pages of one child connection to the statement (one CTE per distinct `first`/`after`,
 * a count when `totalCount` is selected) and the ids of their people to `users`; returns what primes
 * the loaders from the statement's row.
 */
function readChildren<T extends { id: string }>(em: EntityManager, statement: Statement, fields: readonly ResolveTree[], spec: ChildSpec<T>, users: string[]) {
  const parents = { sql: 'select id from t', bindings: [] };
  const selections = named(fields, spec.field);
  const pages = new Map<string, { cte: string; first?: number | null; after?: string | null }>();
  for (const field of selections) {
    const first = field.args.first as number | null | undefined;
    const after = field.args.after as string | null | undefined;
    const id = JSON.stringify([first ?? null, after ?? null]);
    if (pages.has(id)) continue;
    const cte = `${spec.cte}${pages.size}`;
    // Checked as the resolver checks them: a bad `first` or cursor is refused before any read.
    statement.cte(cte, childRowsSql(spec.loaders.source, parents, pageSize(first), after ? childCursorId(after) : null));
    statement.output(cte, `select coalesce(json_agg(${spec.json('x')}), '[]') from ${cte} x`);
    pages.set(id, { cte, first, after });
  }
  const counted = selections.some((field) => named(selectedFields(field, `${spec.type}Connection`), 'totalCount').length > 0);
  if (counted) {
    const counts = childCountsSql(spec.loaders.source, parents);
    statement.output(`${spec.cte}_counts`, `select coalesce(json_agg(json_build_object('parent_id', n.parent_id, 'n', n.n)), '[]') from (${counts.sql}) n`, counts.bindings);
  }
  if (named(nodeFields(selections, spec.type), spec.person.field).length > 0) {
    for (const { cte } of pages.values()) users.push(`select ${spec.person.column} from ${cte}`);
  }
  return (row: Record<string, Record<string, unknown>[]>, tickets: readonly Ticket[]) => {
    const counts = counted ? new Map(row[`${spec.cte}_counts`].map((c) => [c.parent_id as string, Number(c.n)])) : undefined;
    for (const { cte, first, after } of pages.values()) {
      const keys: ChildPageKey[] = tickets.map((ticket) => ({ parentId: ticket.id, first, after }));
      spec.loaders.prime(keys, plainRows(em, spec.entity, row[cte]), counts);
    }
  };
}

/** Reads the tickets and primes the loaders with what the selection needs; the tickets in order. */
export async function readTickets(em: EntityManager, actor: Actor, loaders: Loaders, read: TicketRead): Promise<Ticket[]> {
  const fields = read.selection ?? [];
  const statement = new Statement();
  statement.cte('t', read.tickets);
  const columns = read.selection && ticketColumns(read.selection);
  const row = columns ? `json_build_object(${columns.map((column) => `'${column}', t.${column}`).join(', ')})` : 'to_json(t)';
  statement.output('tickets', `select coalesce(json_agg(${row}${read.order ? ` order by ${read.order}` : ''}), '[]') from t`);

  const users: string[] = [];
  if (named(fields, 'assignee').length > 0) users.push('select assignee_id from t');
  if (named(fields, 'creator').length > 0) users.push('select creator_id from t');

  const business = named(fields, 'business').length > 0;
  if (business) {
    const visible = businessRule(actor).sql('b');
    statement.cte('b', { sql: `select b.* from business b where b.id in (select business_id from t) and ${visible.sql}`, bindings: visible.bindings });
    statement.output('businesses', `select coalesce(json_agg(to_json(b)), '[]') from b`);
    if (named(below(fields, 'business', 'Business'), 'accountManager').length > 0) users.push('select account_manager_id from b');
  }

  const contact = named(fields, 'contact').length > 0;
  if (contact) {
    const visible = contactRule(actor).sql('k');
    statement.output('contacts', `select coalesce(json_agg(to_jsonb(k) - 'password_hash'), '[]') from contact k where k.id in (select contact_id from t) and ${visible.sql}`, visible.bindings);
  }

  const tags = named(fields, 'tags').length > 0;
  if (tags) {
    const used = tagRule(actor).usedSql('tt');
    statement.output(
      'tags',
      `select coalesce(json_agg(to_jsonb(g) || jsonb_build_object('ticket_id', tt.ticket_id) order by lower(g.name)), '[]')
       from ticket_tag tt join tag g on g.id = tt.tag_id where tt.ticket_id in (select id from t) and ${used.sql}`,
      used.bindings,
    );
  }

  const primeChildren = [
    readChildren(em, statement, fields, {
      field: 'comments', cte: 'c', type: 'Comment', loaders: loaders.comments, entity: Comment,
      json: (x) => `to_json(${x})`, person: { field: 'author', column: 'author_id' },
    }, users),
    readChildren(em, statement, fields, {
      field: 'history', cte: 'h', type: 'TicketEvent', loaders: loaders.history, entity: TicketEvent,
      json: (x) => `to_jsonb(${x}) || jsonb_build_object('position', ${x}.position::text)`, person: { field: 'actor', column: 'actor_id' },
    }, users),
  ];

  // People are read without their password hash: no field answers it, and it has no business leaving the database.
  if (users.length > 0) statement.output('users', `select coalesce(json_agg(to_jsonb(u) - 'password_hash'), '[]') from app_user u where u.id in (${users.join(' union all ')})`);

  const query = statement.build();
  const [answer] = await preparedRows<Record<string, Record<string, unknown>[]>>(em, query);
  const tickets = plainRows(em, Ticket, answer.tickets);

  // Each loader gets exactly what it would have read: the visible row, or null for an id it would not find.
  const prime = <T extends { id: string }>(loader: DataLoader<string, T | null>, ids: (string | undefined)[], found: T[]) => {
    const byId = new Map(found.map((item) => [item.id, item]));
    for (const id of ids) if (id) loader.prime(id, byId.get(id) ?? null);
  };
  if (users.length > 0) {
    const found = plainRows(em, User, answer.users);
    prime(loaders.users, found.map((u) => u.id), found);
  }
  if (business) prime(loaders.businesses, tickets.map((t) => t.business?.id), plainRows(em, Business, answer.businesses));
  if (contact) prime(loaders.contacts, tickets.map((t) => t.contact?.id), plainRows(em, Contact, answer.contacts));
  if (tags) {
    const byTicket = new Map<string, Tag[]>(tickets.map((t) => [t.id, []]));
    const found = plainRows(em, Tag, answer.tags);
    answer.tags.forEach((tag, i) => byTicket.get(tag.ticket_id as string)?.push(found[i]));
    for (const [id, list] of byTicket) loaders.tagsByTicket.prime(id, list);
  }
  for (const primeFrom of primeChildren) primeFrom(answer, tickets);
  return tickets;
}
