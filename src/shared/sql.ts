/**
 * A PostgreSQL array literal for a raw-query binding. Knex would expand a JS array binding into a
 * comma list (`?, ?`), which breaks `= any(?)`; a literal plus a cast (`any(?::uuid[])`) does not.
 */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

/** `%` and `_` typed by a user are literal characters in a LIKE pattern, not wildcards. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * A query rendered with its values, to embed in a larger raw query. Its `?` are escaped: were the
 * outer query given bindings, a question mark inside a value (a search for "why?") would take one.
 */
export function embedded(query: { toQuery(): string }): string {
  return query.toQuery().replace(/\?/g, '\\?');
}
