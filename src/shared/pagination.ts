import { Field, Int, ObjectType } from 'type-graphql';
import type { ClassType } from 'type-graphql';
import { badInput } from './errors';
import type { Now } from './primed-loader';

/** Largest page a client may ask for; documented on every `first` argument. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
export const FIRST_DESCRIPTION = `Page size: 1 to ${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}.`;
export const AFTER_DESCRIPTION = 'Opaque cursor: the `endCursor` of the previous page.';

@ObjectType({ description: 'Where a page stands in the whole list.' })
export class PageInfo {
  @Field({ description: 'True when more items follow this page.' })
  hasNextPage!: boolean;

  @Field({ description: 'True when this page was fetched with `after` (items come before it).' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first item of the page.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last item; pass it as `after` for the next page.' })
  endCursor!: string | null;
}

/** One page, as services return it. `totalCount` is a thunk so the count runs only when asked for (at once when it is known). */
export interface Page<T> {
  items: T[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: () => Now<number>;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** A Relay connection type (`edges`, `nodes`, `pageInfo`, `totalCount`) for one node type. */
export function Connection<T extends object>(nodeType: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`, { description: `One ${name} of a page, with its cursor.` })
  class EdgeType {
    @Field({ description: 'Cursor of this item; pass it as `after` to continue after it.' })
    cursor!: string;

    @Field(() => nodeType, { description: `The ${name}.` })
    node!: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${name} items (keyset-paginated; \`first\` at most ${MAX_PAGE_SIZE}).` })
  class ConnectionType {
    @Field(() => [EdgeType], { description: 'The items with their cursors.' })
    edges!: Edge<T>[];

    @Field(() => [nodeType], { description: 'The items, without cursors.' })
    nodes!: T[];

    @Field(() => PageInfo, { description: 'Where this page stands.' })
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'How many items match in all, counted with the same visibility rules as the items.' })
    totalCount!: Now<number>;
  }
  return ConnectionType;
}

/**
 * A service page as a connection object; `edges`, `pageInfo` and `totalCount` stay lazy (made when
 * asked for). A class, so that the 50 comment connections of a board page share their getters.
 */
class PageConnection<T> {
  private count: Now<number> | undefined;

  constructor(private readonly page: Page<T>) {}

  get nodes(): T[] {
    return this.page.items;
  }

  get edges(): Edge<T>[] {
    return this.page.items.map((node, i) => ({ node, cursor: this.page.cursors[i] }));
  }

  get pageInfo(): PageInfo {
    const { cursors } = this.page;
    return { hasNextPage: this.page.hasNextPage, hasPreviousPage: this.page.hasPreviousPage, startCursor: cursors[0] ?? null, endCursor: cursors[cursors.length - 1] ?? null };
  }

  get totalCount(): Now<number> {
    this.count ??= this.page.totalCount();
    return this.count;
  }
}

/** Shapes a service page as a connection object (see PageConnection). */
export function toConnection<T>(page: Page<T>): PageConnection<T> {
  return new PageConnection(page);
}

/** Validates `first`: a missing value gets the default, anything outside 1..MAX is refused. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}.`, 'first');
  }
  return first;
}

/** Cursors are base64url JSON arrays of the keyset values: opaque to clients, checked on the way in. */
export function encodeCursor(values: readonly (string | number | null)[]): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, length: number): (string | number | null)[] {
  const invalid = () => badInput('after is not a cursor from this list.', 'after');
  if (cursor.length > 500 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (
    !Array.isArray(values) ||
    values.length !== length ||
    !values.every((v) => v === null || typeof v === 'string' || typeof v === 'number')
  ) {
    throw invalid();
  }
  return values as (string | number | null)[];
}

/**
 * Builds a page from rows fetched with `limit + 1`: the extra row only tells that a next page exists.
 */
export function pageFromRows<T>(
  rows: T[],
  limit: number,
  after: string | null | undefined,
  cursorOf: (row: T) => string,
  totalCount: () => Now<number>,
): Page<T> {
  const items = rows.slice(0, limit);
  let cursors: string[] | undefined;
  return {
    items,
    // Made when first read: the comments of a board's 50 tickets are 50 pages whose cursors nobody may select.
    get cursors() {
      return (cursors ??= items.map(cursorOf));
    },
    hasNextPage: rows.length > limit,
    hasPreviousPage: Boolean(after),
    totalCount,
  };
}

/** The same page with each item replaced (cursors stay those of the original rows). */
export function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return { ...page, items: page.items.map(map) };
}
