import type { EntityName } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../shared/errors';
import { idOf } from '../../shared/validation';
import type { Actor } from '../users/auth/actor';
import { ticketScope } from './ticket.policy';

/** The ticket policy as an ORM condition on Ticket; null when the actor may read no ticket at all. */
export function ticketScopeWhere(actor: Actor): { business?: string } | null {
  const scope = ticketScope(actor);
  if (scope.kind === 'none') return null;
  return scope.kind === 'business' ? { business: scope.businessId } : {};
}

/**
 * A row that hangs off a ticket (comment, timeline entry, attachment), by its global id, when the
 * actor may see that ticket and `where` (the row's own visibility rule) holds. NOT_FOUND otherwise:
 * existence does not leak.
 */
export async function findOnVisibleTicket<T extends object>(
  em: EntityManager,
  actor: Actor,
  entity: EntityName<T>,
  type: string,
  globalId: string,
  where: object = {},
): Promise<T> {
  const id = idOf(globalId, type, 'id');
  const ticket = ticketScopeWhere(actor);
  const row = ticket ? await em.findOne(entity, { id, ticket, ...where } as never) : null;
  if (!row) throw notFound(type);
  return row as T;
}
