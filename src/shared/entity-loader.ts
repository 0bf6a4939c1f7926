import type { EntityName } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { PrimedLoader } from './primed-loader';

/** Loads rows by key in one `where id in (...)` per batch; missing keys answer null. */
export function entityLoader<T extends { id: string }>(em: EntityManager, entity: EntityName<T>, where: object = {}) {
  return new PrimedLoader<string, T | null>(async (ids) => {
    const rows = await em.find(entity, { ...where, id: { $in: [...ids] } } as never);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  });
}
