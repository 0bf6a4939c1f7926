import type { EntityName, FindOneOptions } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { notFound } from '../../shared/errors';
import { idOf } from '../../shared/validation';

/**
 * A row by its key, when `where` (the row's rule from visibility.ts, null when nothing is visible)
 * holds; NOT_FOUND otherwise, as for a row that does not exist: existence does not leak.
 */
export async function findVisibleById<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  type: string,
  id: string,
  where: object | null,
  options: FindOneOptions<T> = {},
): Promise<T> {
  const row = where ? await em.findOne(entity, { $and: [where, { id }] } as never, options as never) : null;
  if (!row) throw notFound(type);
  return row as T;
}

/** The same, by the row's global id (as `node(id:)` and the single-row queries take it). */
export function findVisible<T extends object>(em: EntityManager, entity: EntityName<T>, type: string, globalId: string, where: object | null): Promise<T> {
  return findVisibleById(em, entity, type, idOf(globalId, type, 'id'), where);
}
