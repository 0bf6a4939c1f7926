const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe to place in HTML, between tags or in a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A paragraph of a simple mail: text, or one link. */
export type MailParagraph = string | { href: string; label: string };

/** The plain-text part: paragraphs separated by blank lines, a link as "label: href". */
export function plainText(paragraphs: readonly MailParagraph[]): string {
  return paragraphs.map((p) => (typeof p === 'string' ? p : `${p.label}: ${p.href}`)).join('\n\n') + '\n';
}

/** The HTML part: the same paragraphs, every piece of text escaped. */
export function simpleHtml(paragraphs: readonly MailParagraph[]): string {
  const body = paragraphs.map((p) => (typeof p === 'string' ? `<p>${escapeHtml(p)}</p>` : `<p><a href="${escapeHtml(p.href)}">${escapeHtml(p.label)}</a></p>`));
  return `<!doctype html><html><body>${body.join('')}</body></html>`;
}
