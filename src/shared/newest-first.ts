import type { EntityName } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from './errors';
import { decodeCursor, encodeCursor, pageFromRows, pageSize, type Page } from './pagination';

/**
 * A page of rows newest first, keyset-paginated on (createdAt, id): for logs and registers that
 * only grow. `where` is the list's filter; the keyset condition is added to it, not to the count.
 */
export async function newestFirst<T extends { id: string; createdAt: Date }>(
  em: EntityManager,
  entity: EntityName<T>,
  where: Record<string, unknown>,
  args: { first?: number | null; after?: string | null },
): Promise<Page<T>> {
  const limit = pageSize(args.first);
  let keyset: Record<string, unknown> = {};
  if (args.after) {
    const [createdAt, id] = decodeCursor(args.after, 2);
    if (typeof createdAt !== 'string' || typeof id !== 'string' || Number.isNaN(Date.parse(createdAt))) {
      throw badInput('after is not a cursor from this list.', 'after');
    }
    keyset = { $or: [{ createdAt: { $lt: new Date(createdAt) } }, { createdAt: new Date(createdAt), id: { $lt: id } }] };
  }
  const rows = await em.find(entity, { ...where, ...keyset } as never, { orderBy: { createdAt: 'desc', id: 'desc' } as never, limit: limit + 1 });
  return pageFromRows(rows, limit, args.after, (row) => encodeCursor([row.createdAt.toISOString(), row.id]), () => em.count(entity, where as never));
}
