const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe to place in HTML, between tags or in a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** A block of a simple mail: a paragraph, words quoted from someone, or one link. */
export type MailBlock = string | { quote: string } | { href: string; label: string };

function blockText(block: MailBlock): string {
  if (typeof block === 'string') return block;
  if ('quote' in block) return block.quote.split('\n').map((line) => `    ${line}`).join('\n');
  return `${block.label}:\n${block.href}`;
}

function blockHtml(block: MailBlock): string {
  if (typeof block === 'string') return `<p>${escapeHtml(block)}</p>`;
  if ('quote' in block) return `<blockquote style="margin:0 0 1em 0;padding-left:1em;border-left:3px solid #ccc">${escapeHtml(block.quote).replace(/\n/g, '<br>')}</blockquote>`;
  return `<p><a href="${escapeHtml(block.href)}">${escapeHtml(block.label)}</a></p>`;
}

/** The plain-text part: blocks separated by blank lines, then the footer after a signature line. */
export function plainText(blocks: readonly MailBlock[], footer: readonly MailBlock[] = []): string {
  const body = blocks.map(blockText).join('\n\n');
  return footer.length ? `${body}\n\n-- \n${footer.map(blockText).join('\n\n')}\n` : `${body}\n`;
}

/** The HTML part: the same blocks, every piece of text escaped. */
export function simpleHtml(blocks: readonly MailBlock[], footer: readonly MailBlock[] = []): string {
  const end = footer.length ? `<hr><div style="font-size:small;color:#666">${footer.map(blockHtml).join('')}</div>` : '';
  return `<!doctype html><html><body style="font-family:sans-serif">${blocks.map(blockHtml).join('')}${end}</body></html>`;
}
