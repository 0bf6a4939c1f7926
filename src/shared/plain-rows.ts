import { ReferenceKind, type EntityMetadata } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Rows for reading, without the ORM: an object of the entity's class (so its getters, `globalId` and
 * the GraphQL type resolution work) made from a row as PostgreSQL's `to_jsonb` gives it, column names
 * and all. A many-to-one column becomes `{ id }`, as an unloaded ORM reference reads; timestamps
 * become Dates. No identity map, no change tracking, no hydration: such an object is read, never
 * flushed. Writes load their entities through the ORM (see TicketService.change).
 */

interface Column {
  property: string;
  kind: 'value' | 'date' | 'reference';
}

const columnsByEntity = new WeakMap<EntityMetadata, Map<string, Column>>();

function columnsOf(meta: EntityMetadata): Map<string, Column> {
  let columns = columnsByEntity.get(meta);
  if (!columns) {
    columns = new Map();
    for (const prop of meta.props) {
      if (prop.persist === false || !prop.fieldNames || prop.fieldNames.length !== 1) continue;
      if (prop.kind === ReferenceKind.MANY_TO_ONE) columns.set(prop.fieldNames[0], { property: prop.name, kind: 'reference' });
      else if (prop.kind === ReferenceKind.SCALAR) {
        columns.set(prop.fieldNames[0], { property: prop.name, kind: prop.runtimeType === 'Date' ? 'date' : 'value' });
      }
    }
    columnsByEntity.set(meta, columns);
  }
  return columns;
}

/** Makes `entity` objects from `to_jsonb` rows (a `bigint` column must come as text: JSON numbers lose its digits). */
export function plainRows<T extends object>(em: EntityManager, entity: new (...args: never[]) => T, rows: readonly Record<string, unknown>[]): T[] {
  const columns = columnsOf(em.getMetadata().get(entity.name));
  return rows.map((row) => {
    // Own data properties, not assignments: the ORM puts accessors for relations on the entity's
    // prototype, and an assignment would run them (wrapping references, tracking changes).
    const own: PropertyDescriptorMap = {};
    for (const name in row) {
      const column = columns.get(name);
      if (!column) continue;
      const value = row[name];
      own[column.property] = {
        value: value === null ? null : column.kind === 'date' ? new Date(value as string) : column.kind === 'reference' ? { id: value } : value,
        writable: true,
        enumerable: true,
        configurable: true,
      };
    }
    return Object.create(entity.prototype, own) as T;
  });
}
