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

interface Shape {
  columns: Map<string, Column>;
  /** What rows inherit from: the entity's prototype, with its column accessors hidden (see shapeOf). */
  prototype: object;
}

const shapes = new WeakMap<EntityMetadata, Shape>();

/**
 * The ORM puts an accessor for every property on the entity's prototype (to track changes): assigning
 * to an object that inherits it would run it. Rows inherit from a prototype in between that holds a
 * plain writable property in each column's place, so that an assignment makes an own property, as
 * on any object: rows built by assignment in one order share one hidden class, where objects made
 * with property descriptors did not (and cost a tenth of a Q1 request, issue 19).
 */
function shapeOf(meta: EntityMetadata): Shape {
  let shape = shapes.get(meta);
  if (!shape) {
    const columns = new Map<string, Column>();
    const prototype = Object.create(meta.class.prototype as object) as object;
    for (const prop of meta.props) {
      if (prop.persist === false || !prop.fieldNames || prop.fieldNames.length !== 1) continue;
      let kind: Column['kind'];
      if (prop.kind === ReferenceKind.MANY_TO_ONE) kind = 'reference';
      else if (prop.kind === ReferenceKind.SCALAR) kind = prop.runtimeType === 'Date' ? 'date' : 'value';
      else continue;
      columns.set(prop.fieldNames[0], { property: prop.name, kind });
      Object.defineProperty(prototype, prop.name, { value: undefined, writable: true, enumerable: false, configurable: true });
    }
    shape = { columns, prototype };
    shapes.set(meta, shape);
  }
  return shape;
}

/** Makes `entity` objects from `to_jsonb` rows (a `bigint` column must come as text: JSON numbers lose its digits). */
export function plainRows<T extends object>(em: EntityManager, entity: new (...args: never[]) => T, rows: readonly Record<string, unknown>[]): T[] {
  const { columns, prototype } = shapeOf(em.getMetadata().get(entity.name));
  return rows.map((row) => {
    const made = Object.create(prototype) as Record<string, unknown>;
    for (const name in row) {
      const column = columns.get(name);
      if (!column) continue;
      const value = row[name];
      made[column.property] = value === null ? null : column.kind === 'date' ? new Date(value as string) : column.kind === 'reference' ? { id: value } : value;
    }
    return made as T;
  });
}
