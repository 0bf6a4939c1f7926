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

