import { isStaffOrScoped } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import { ApiScope } from '../users/auth/api-scope.enum';
import { Role } from '../users/user.enums';

/**
 * Who sees which rows: the one place that decides it. Every kind of row has one rule per viewer, given
 * in the three forms its readers need, which always agree:
 *
 * - `sql(alias)`: a condition with bindings over the row's table under `alias`, for raw queries;
 * - `where`: the same condition as a MikroORM filter, or null when no row is visible (skip the query);
 * - `allows(row)`: the same condition on a row already in memory (subscriptions, payloads).
 *
 * The rules look only at the actor's kind, role, business and scopes, never at who it is (except
 * `seesUserPrivateFields` for one's own account, which no shared execution reaches, and a contact's
 * own mail status: see accessClassOf).
 * Pure functions, unit-tested in test/unit/visibility.test.ts.
 */

/** A SQL condition and the values of its `?` placeholders, in order. Values never enter the text. */
export interface SqlCondition {
  sql: string;
  bindings: (string | number | boolean)[];
}

const TRUE: SqlCondition = { sql: 'true', bindings: [] };
const FALSE: SqlCondition = { sql: 'false', bindings: [] };

/** Conditions joined with AND; `true` parts drop out. */
export function allOf(...parts: SqlCondition[]): SqlCondition {
  const kept = parts.filter((part) => part.sql !== 'true');
  if (kept.some((part) => part.sql === 'false')) return FALSE;
  if (kept.length === 0) return TRUE;
  return { sql: kept.map((part) => `(${part.sql})`).join(' and '), bindings: kept.flatMap((part) => part.bindings) };
}

/** A column name that may be pasted into SQL: the alias and column names come from code, never from input. */
function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not an SQL identifier: ${name}`);
  return name;
}

/** One kind of row as one viewer may see it. */
export interface RowRule<Row, Where> {
  sql(alias: string): SqlCondition;
  where: Where | null;
  allows(row: Row): boolean;
}

/** Which tickets an actor may read: all of them, those of one business, or none. */
export type TicketScope = { kind: 'all' } | { kind: 'business'; businessId: string } | { kind: 'none' };

export function ticketScope(actor: Actor): TicketScope {
  if (isStaffOrScoped(actor, ApiScope.TICKETS_READ)) return { kind: 'all' };
  if (actor.kind === 'contact') return { kind: 'business', businessId: actor.businessId };
  return { kind: 'none' };
}

/** Internal comments, internal timeline entries and internal reasons: staff, or an API key with COMMENTS_INTERNAL. Never a customer. */
export function seesInternal(actor: Actor): boolean {
  return isStaffOrScoped(actor, ApiScope.COMMENTS_INTERNAL);
}

/**
 * The staff directory: staff members' email, capacity, availability, open load and expertise. Staff,
 * and API keys with TICKETS_READ (they list users to assign). Everyone else sees a staff member's
 * public profile: id, name and role.
 */
export function seesStaffDirectory(actor: Actor): boolean {
  return isStaffOrScoped(actor, ApiScope.TICKETS_READ);
}

/**
 * Whether the private fields of an account (email, …) are shown: the staff directory, or one's own
 * account (a customer sees its own email in `me`, as role CUSTOMER with its contact id).
 */
export function seesUserPrivateFields(actor: Actor, user: { id: string; role: Role }): boolean {
  if (seesStaffDirectory(actor)) return true;
  if (actor.kind === 'user') return user.role !== Role.CUSTOMER && user.id === actor.id;
  return actor.kind === 'contact' && user.role === Role.CUSTOMER && user.id === actor.id;
}

export type TicketWhere = { business?: string };

/** Tickets, by their business (`business_id`). A ticket without a business is staff work only. */
export function ticketRule(actor: Actor): RowRule<{ businessId: string | null }, TicketWhere> {
  const scope = ticketScope(actor);
  if (scope.kind === 'all') return { sql: () => TRUE, where: {}, allows: () => true };
  if (scope.kind === 'none') return { sql: () => FALSE, where: null, allows: () => false };
  return {
    sql: (alias) => ({ sql: `${identifier(alias)}.business_id = ?`, bindings: [scope.businessId] }),
    where: { business: scope.businessId },
    allows: (ticket) => ticket.businessId === scope.businessId,
  };
}

/** The ticket condition applied to a row that hangs off a ticket by `ticket_id`. */
function onTicket(actor: Actor, alias: string): SqlCondition {
  const scope = ticketScope(actor);
  if (scope.kind === 'all') return TRUE;
  if (scope.kind === 'none') return FALSE;
  return {
    sql: `exists (select 1 from ticket vt where vt.id = ${identifier(alias)}.ticket_id and vt.business_id = ?)`,
    bindings: [scope.businessId],
  };
}

function onTicketWhere(actor: Actor): { ticket?: TicketWhere } | null {
  const where = ticketRule(actor).where;
  if (!where) return null;
  return Object.keys(where).length > 0 ? { ticket: where } : {};
}

/** A row on a ticket with an internal flag: comments and timeline entries. */
export interface InternalRow {
  ticket: { businessId: string | null };
  isInternal: boolean;
}

export type InternalRowWhere = { ticket?: TicketWhere; isInternal?: false };

/** Rows of `ticket_id` tables with an `is_internal` column: the ticket's rule, and internal rows for those who see them. */
function internalRowRule(actor: Actor): RowRule<InternalRow, InternalRowWhere> {
  const internal = seesInternal(actor);
  const ticketWhere = onTicketWhere(actor);
  const tickets = ticketRule(actor);
  return {
    sql: (alias) => allOf(onTicket(actor, alias), internal ? TRUE : { sql: `${identifier(alias)}.is_internal = false`, bindings: [] }),
    where: ticketWhere && { ...ticketWhere, ...(internal ? {} : { isInternal: false as const }) },
    allows: (row) => tickets.allows(row.ticket) && (internal || !row.isInternal),
  };
}

/** Comments: those on visible tickets; internal ones only for those who see internal content. */
export const commentRule = internalRowRule;

/**
 * Timeline entries: the rule of comments. A status change is never internal as a whole (its customer
 * always sees the move); its reason alone may be, see `seesReason`.
 */
export const timelineRule = internalRowRule;

/** An entry's `reason`, shown or null: an internal reason only for those who see internal content. */
export function seesReason(actor: Actor, entry: { reasonInternal: boolean }): boolean {
  return !entry.reasonInternal || seesInternal(actor);
}

export type AttachmentWhere = { ticket?: TicketWhere; $or?: [{ comment: null }, { comment: { isInternal: false } }] };

/** Attachments: those on visible tickets, and for one that came with a comment, only if that comment is visible. */
export function attachmentRule(actor: Actor): RowRule<{ ticket: { businessId: string | null }; comment: { isInternal: boolean } | null }, AttachmentWhere> {
  const internal = seesInternal(actor);
  const ticketWhere = onTicketWhere(actor);
  const tickets = ticketRule(actor);
  return {
    sql: (alias) =>
      allOf(
        onTicket(actor, alias),
        internal
          ? TRUE
          : { sql: `not exists (select 1 from comment vc where vc.id = ${identifier(alias)}.comment_id and vc.is_internal)`, bindings: [] },
      ),
    where: ticketWhere && { ...ticketWhere, ...(internal ? {} : { $or: [{ comment: null }, { comment: { isInternal: false } }] as [{ comment: null }, { comment: { isInternal: false } }] }) },
    allows: (row) => tickets.allows(row.ticket) && (internal || !row.comment?.isInternal),
  };
}

export type BusinessWhere = { id?: string };

/** Businesses: all of them with the ticket scope `all`, a customer's own, or none. */
export function businessRule(actor: Actor): RowRule<{ id: string }, BusinessWhere> {
  const scope = ticketScope(actor);
  if (scope.kind === 'all') return { sql: () => TRUE, where: {}, allows: () => true };
  if (scope.kind === 'none') return { sql: () => FALSE, where: null, allows: () => false };
  return {
    sql: (alias) => ({ sql: `${identifier(alias)}.id = ?`, bindings: [scope.businessId] }),
    where: { id: scope.businessId },
    allows: (business) => business.id === scope.businessId,
  };
}

/** Contacts: those of visible businesses. */
export function contactRule(actor: Actor): RowRule<{ businessId: string }, TicketWhere> {
  const businesses = businessRule(actor);
  const scope = ticketScope(actor);
  return {
    sql: (alias) => (scope.kind === 'business' ? { sql: `${identifier(alias)}.business_id = ?`, bindings: [scope.businessId] } : businesses.sql(alias)),
    where: scope.kind === 'business' ? { business: scope.businessId } : scope.kind === 'all' ? {} : null,
    allows: (contact) => businesses.allows({ id: contact.businessId }),
  };
}

/**
 * Tags: a tag is visible when it is on a visible ticket (every tag, for the ticket scope `all`), and
 * its use is counted over visible tickets only. `sql` is over `tag` rows, `usedSql` over `ticket_tag`
 * rows. (Tags have no ORM filter: their visibility is a join the ORM cannot say.)
 */
export function tagRule(actor: Actor): { sql(alias: string): SqlCondition; usedSql(alias: string): SqlCondition } {
  const scope = ticketScope(actor);
  return {
    sql: (alias) =>
      scope.kind === 'business'
        ? {
            sql: `exists (select 1 from ticket_tag vtt join ticket vt on vt.id = vtt.ticket_id where vtt.tag_id = ${identifier(alias)}.id and vt.business_id = ?)`,
            bindings: [scope.businessId],
          }
        : onTicket(actor, alias),
    usedSql: (alias) => onTicket(actor, alias),
  };
}
