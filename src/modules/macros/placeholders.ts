/**
 * The placeholders a macro comment may hold, and how they are filled. Pure functions: the values come
 * from the macro service, read under the applying agent's visibility.
 */
export const PLACEHOLDERS = [
  'ticket.number',
  'ticket.title',
  'ticket.status',
  'ticket.priority',
  'contact.name',
  'contact.email',
  'business.name',
  'agent.name',
  'agent.email',
] as const;

export type Placeholder = (typeof PLACEHOLDERS)[number];

/** `{{ name }}`, spaces inside the braces allowed. */
const PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders in `text` that are not in PLACEHOLDERS, each once, as written. */
export function unknownPlaceholders(text: string): string[] {
  const names = [...text.matchAll(PATTERN)].map((match) => match[1]);
  return [...new Set(names.filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name)))];
}

/** `text` with each placeholder replaced by its value (an empty string when the value is unknown or hidden). */
export function fillPlaceholders(text: string, values: Partial<Record<Placeholder, string>>): string {
  return text.replace(PATTERN, (_match, name: string) => values[name as Placeholder] ?? '');
}
