import type { HeaderFields } from './email-text';

/**
 * Mail no person wrote: auto-replies, bounces, list and bulk mail. Answering it, or letting it reopen
 * a ticket, is how mail loops start, so it is recognized by the markers senders put on it.
 */

/** The first word of a structured value, lowercased: `auto-replied` from `Auto-Replied; owner-email=…`. */
const firstWord = (value: string) => /^\s*([^\s;(]*)/.exec(value)![1].toLowerCase();

const PRECEDENCE = new Set(['bulk', 'list', 'junk', 'auto_reply']);
const SYSTEM_SENDERS = new Set(['mailer-daemon', 'postmaster']);

/**
 * The marker that makes a message automatic, as `Name: value` for the note, or null for mail a person
 * wrote: `Auto-Submitted` other than `no` (RFC 3834), `Precedence` bulk, list, junk or auto_reply,
 * `X-Autoreply`, `X-Autorespond` or `X-Auto-Response-Suppress` with any value, an empty Return-Path
 * (`<>`, a bounce), a mailer-daemon or postmaster sender, or a `multipart/report` body (delivery and
 * read reports).
 */
export function automaticMarker(fields: HeaderFields, senderEmail: string): string | null {
  const first = (name: string) => fields.get(name)?.[0];
  const autoSubmitted = first('auto-submitted');
  if (autoSubmitted !== undefined && !['', 'no'].includes(firstWord(autoSubmitted))) return `Auto-Submitted: ${autoSubmitted}`;
  const precedence = first('precedence');
  if (precedence !== undefined && PRECEDENCE.has(firstWord(precedence))) return `Precedence: ${precedence}`;
  for (const name of ['X-Autoreply', 'X-Autorespond', 'X-Auto-Response-Suppress']) {
    const value = first(name.toLowerCase());
    if (value) return `${name}: ${value}`;
  }
  // The topmost Return-Path is the one the receiving server wrote from the SMTP envelope.
  if (/^<\s*>$/.test(first('return-path') ?? '')) return 'Return-Path: <>';
  if (SYSTEM_SENDERS.has(senderEmail.slice(0, senderEmail.lastIndexOf('@')).toLowerCase())) return `From: ${senderEmail}`;
  const contentType = first('content-type') ?? '';
  if (firstWord(contentType) === 'multipart/report') return `Content-Type: ${contentType.split(';')[0].trim()}`;
  return null;
}
