import { createRequire } from 'node:module';
import type EmailReplyParserClass from 'email-reply-parser' with { 'resolution-mode': 'import' };
import { LIMITS } from '../../../shared/validation';

/** Text helpers for inbound email: pure functions of what mailparser returned. */

export const NO_SUBJECT = '(no subject)';
export const NO_TEXT = '(no text)';

/** At most `max` UTF-16 units, never splitting a surrogate pair. */
export function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  const end = /[\uD800-\uDBFF]/.test(value[max - 1]) ? max - 1 : max;
  return value.slice(0, end);
}

/**
 * A body as we store it: LF line endings, no NUL (PostgreSQL text cannot hold it), no trailing
 * spaces, at most two blank lines in a row, trimmed.
 */
export function cleanText(value: string | undefined): string {
  return (value ?? '')
    .replace(/\r\n?/g, '\n')
    .replaceAll('\u0000', '')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{4,}/g, '\n\n\n')
    .trim();
}

/** The ticket title: the subject on one line, trimmed and cut; "(no subject)" when there is none. */
export function titleFromSubject(subject: string | undefined): string {
  const title = cut((subject ?? '').replaceAll('\u0000', '').replace(/\s+/g, ' ').trim(), LIMITS.title).trim();
  return title === '' ? NO_SUBJECT : title;
}

/** A body cut to the ticket and comment limit; "(no text)" when the message has none (e.g. only attachments). */
export function bodyText(value: string): string {
  const body = cut(value, LIMITS.body).trim();
  return body === '' ? NO_TEXT : body;
}

/**
 * email-reply-parser ships ES modules only. Node 20.19+ loads them with require(), which TypeScript's
 * node16 module mode does not know of, so it is required by hand (and jest transforms it, see jest.config.js).
 */
const { default: EmailReplyParser } = createRequire(__filename)('email-reply-parser') as { default: typeof EmailReplyParserClass };

/**
 * The new part of a reply: email-reply-parser drops the quoted history, the attribution line above it
 * ("On Tue, 3 Dec 2026 at 10:02, Ann <ann@example.com> wrote:", also when wrapped) and a signature
 * after "-- ". Replies written between quoted lines keep their own lines. When nothing is left (a
 * reply that is all quote), the whole text is kept. The text is cut first: the new part is at the top,
 * and the parser's patterns need not run over megabytes of quoted history.
 */
export function stripQuoted(value: string): string {
  const reply = new EmailReplyParser().parseReply(cut(value, 2 * LIMITS.body)).trim();
  return reply === '' ? value : reply;
}

/** A message's header fields by lowercased name, each value unfolded, topmost first. */
export type HeaderFields = ReadonlyMap<string, readonly string[]>;

/** The header block as mailparser's `headerLines` gives it (raw `Name: value` lines, folded). */
export function headerFields(lines: readonly { key: string; line: string }[]): HeaderFields {
  const fields = new Map<string, string[]>();
  for (const { key, line } of lines) {
    if (key === '') continue;
    const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n(?=[ \t])/g, '').trim();
    fields.set(key, [...(fields.get(key) ?? []), value]);
  }
  return fields;
}

/** The ticket number in a `[#1234]` subject token, if any (the first token counts). */
export function ticketNumberToken(subject: string | undefined): number | null {
  const match = /\[#(\d{1,9})\]/.exec(subject ?? '');
  return match ? Number(match[1]) : null;
}

/** The longest Message-ID kept (the column; also the longest line RFC 5322 allows). */
export const MESSAGE_ID_MAX = 998;

/** A Message-ID as stored and compared: trimmed, in angle brackets. Null when missing. */
export function normalizeMessageId(value: string | undefined | null): string | null {
  const trimmed = (value ?? '').replaceAll('\u0000', '').trim();
  if (trimmed === '') return null;
  return trimmed.startsWith('<') && trimmed.endsWith('>') ? trimmed : `<${trimmed.replace(/^<|>$/g, '')}>`;
}

/**
 * The Message-IDs a message answers, most telling first: In-Reply-To, then References from the newest
 * (sent last) to the oldest.
 */
export function referencedMessageIds(inReplyTo: string | undefined, references: string | string[] | undefined): string[] {
  const listed = (Array.isArray(references) ? references : [references ?? '']).flatMap((value) => value.match(/<[^<>\s]+>/g) ?? [value]);
  const raw = [inReplyTo ?? '', ...listed.reverse()];
  const ids = raw.flatMap((value) => value.match(/<[^<>\s]+>/g) ?? (value.trim() ? [value] : []));
  return [...new Set(ids.map(normalizeMessageId).filter((id): id is string => id !== null && id.length <= MESSAGE_ID_MAX))];
}

const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'text/plain': 'txt',
  'text/calendar': 'ics',
  'message/rfc822': 'eml',
};

/**
 * An attachment's name: as sent (cut to the column), or `attachment-<n>.<ext>` when it has none, with
 * `n` its 1-based position among the message's attachments and `ext` from a few well-known types
 * (`bin` otherwise).
 */
export function attachmentName(filename: string | undefined, contentType: string, position: number): string {
  const sent = cut((filename ?? '').replaceAll('\u0000', '').trim(), 255);
  if (sent !== '') return sent;
  return `attachment-${position}.${EXTENSIONS[contentType.toLowerCase()] ?? 'bin'}`;
}

const TAG_START = /<(\/?)([a-z][a-z0-9]*)(?=[\s/>])/iy;

/** Elements whose content is not text for a reader. */
const SKIPPED = new Set(['head', 'style', 'script', 'title', 'template', 'noscript']);
/** Elements that stand apart as paragraphs. */
const BLOCKS = new Set([
  'p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'table', 'ul', 'ol', 'dl', 'hr',
  'section', 'article', 'header', 'footer', 'address', 'center', 'form',
]);

const ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ndash: '–', mdash: '—', hellip: '…', middot: '·',
  bull: '•', copy: '©', reg: '®', trade: '™', euro: '€', laquo: '«', raquo: '»', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”',
  auml: 'ä', ouml: 'ö', uuml: 'ü', Auml: 'Ä', Ouml: 'Ö', Uuml: 'Ü', szlig: 'ß', eacute: 'é', egrave: 'è', agrave: 'à', ccedil: 'ç',
};

function decodeEntities(value: string): string {
  return value.replace(/&(#\d{1,7}|#x[\da-f]{1,6}|[a-z]{2,8});/gi, (whole, entity: string) => {
    if (entity[0] !== '#') return ENTITIES[entity] ?? whole;
    const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '';
  });
}

/**
 * Readable text from HTML, for the HTML-only messages mailparser leaves without `text` (it converts
 * HTML only when it is the message's sole body, not e.g. inside multipart/related with inline images):
 * head, style and script dropped, paragraphs and line breaks kept, list items as "* ", every other tag
 * removed, entities decoded. One pass over the input, so hostile HTML cannot make it slow.
 */
export function htmlToText(html: string): string {
  let out = '';
  const addText = (chunk: string) => {
    out += decodeEntities(chunk.replace(/\s+/g, ' '));
  };
  let i = 0;
  let gt = -1;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt === -1) {
      addText(html.slice(i));
      break;
    }
    addText(html.slice(i, lt));
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end === -1 ? html.length : end + 3;
      continue;
    }
    TAG_START.lastIndex = lt;
    const opened = TAG_START.exec(html);
    const declaration = html[lt + 1] === '!' || html[lt + 1] === '?';
    if (!opened && !declaration) {
      // A lone "<" in the text.
      out += '<';
      i = lt + 1;
      continue;
    }
    // The next ">" is looked up again only once passed, so the whole scan stays linear.
    if (gt < lt) gt = html.indexOf('>', lt);
    if (gt === -1) break;
    i = gt + 1;
    if (!opened) continue;
    const closing = opened[1] === '/';
    const name = opened[2].toLowerCase();
    if (!closing && SKIPPED.has(name)) {
      const end = new RegExp(`</${name}\\s*>`, 'gi');
      end.lastIndex = i;
      i = end.exec(html) ? end.lastIndex : html.length;
    } else if (name === 'br') out += '\n';
    else if (name === 'li') out += closing ? '' : '\n* ';
    else if (['tr', 'dt', 'dd'].includes(name)) out += '\n';
    else if (name === 'td' || name === 'th') out += ' ';
    else if (BLOCKS.has(name)) out += '\n\n';
  }
  return out
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
