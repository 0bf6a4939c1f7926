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
    .replace(/\u0000/g, '')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{4,}/g, '\n\n\n')
    .trim();
}

/** The ticket title: the subject on one line, trimmed and cut; "(no subject)" when there is none. */
export function titleFromSubject(subject: string | undefined): string {
  const title = cut((subject ?? '').replace(/\u0000/g, '').replace(/\s+/g, ' ').trim(), LIMITS.title).trim();
  return title === '' ? NO_SUBJECT : title;
}

/** A body cut to the ticket and comment limit; "(no text)" when the message has none (e.g. only attachments). */
export function bodyText(value: string): string {
  const body = cut(value, LIMITS.body).trim();
  return body === '' ? NO_TEXT : body;
}

const ATTRIBUTION = /^On\b.*\bwrote:$/i;

/**
 * The new part of a reply, kept simple on purpose: lines quoted with `>` are dropped, then a trailing
 * attribution line ("On Tue, 3 Dec 2026 at 10:02, Ann <ann@example.com> wrote:", also when the client
 * wrapped it over two lines) is dropped. Replies written between quoted lines keep their own lines.
 * When nothing is left (a reply that is all quote), the whole text is kept.
 */
export function stripQuoted(value: string): string {
  const lines = value.split('\n').filter((line) => !/^[ \t]*>/.test(line));
  const dropTrailingBlank = () => {
    while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  };
  dropTrailingBlank();
  const last = lines[lines.length - 1]?.trim() ?? '';
  const lastTwo = `${lines[lines.length - 2]?.trim() ?? ''} ${last}`;
  if (ATTRIBUTION.test(last)) lines.pop();
  else if (lines.length >= 2 && ATTRIBUTION.test(lastTwo)) lines.splice(-2, 2);
  dropTrailingBlank();
  const reply = lines.join('\n').trim();
  return reply === '' ? value : reply;
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
  const trimmed = (value ?? '').trim();
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
  const sent = cut((filename ?? '').replace(/\u0000/g, '').trim(), 255);
  if (sent !== '') return sent;
  return `attachment-${position}.${EXTENSIONS[contentType.toLowerCase()] ?? 'bin'}`;
}
