import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Per-ticket reply addresses: `support+t1033-k7d2m4q9x3b5n8r2@help.example` names ticket 1033 and
 * carries a MAC of the ticket's id under a server key, so nobody can make one for a ticket without the
 * key. A reply to such an address threads onto that ticket like a reply naming our Message-ID.
 */

/** The tag's MAC length: 10 bytes (80 bits), 16 base32 characters. */
const MAC_BYTES = 10;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * The key reply tags are made with, derived (HKDF-SHA256) from INBOUND_EMAIL_SECRET: reply addresses
 * only matter while inbound email is on, and every instance already shares that secret.
 */
export function replyTokenKey(inboundEmailSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', inboundEmailSecret, 'ticketgraph', 'inbound reply token v1', 32));
}

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function mac(key: Buffer, ticketId: string): string {
  return base32(createHmac('sha256', key).update(`reply:${ticketId}`).digest().subarray(0, MAC_BYTES));
}

/** The tag for one ticket: `t<number>-<mac>`. */
export function replyToken(key: Buffer, ticket: { id: string; number: number }): string {
  return `t${ticket.number}-${mac(key, ticket.id)}`;
}

/** The ticket's reply address: the tag after a `+` in the local part of our support address. */
export function replyAddress(key: Buffer, supportAddress: string, ticket: { id: string; number: number }): string {
  const at = supportAddress.lastIndexOf('@');
  if (at < 1) throw new Error(`Not an email address: ${supportAddress}`);
  return `${supportAddress.slice(0, at)}+${replyToken(key, ticket)}${supportAddress.slice(at)}`;
}

/** A tag found in an address, not yet checked. */
export interface ReplyTag {
  number: number;
  mac: string;
}

const TAG = new RegExp(`\\+t(\\d{1,10})-([a-z2-7]{${Math.ceil((MAC_BYTES * 8) / 5)}})@`, 'gi');

/** Every reply tag in these header values (To, Cc, Delivered-To...), in order, duplicates removed. */
export function replyTags(values: readonly string[]): ReplyTag[] {
  const found = new Map<string, ReplyTag>();
  for (const value of values) {
    for (const match of value.matchAll(TAG)) {
      const tag = { number: Number(match[1]), mac: match[2].toLowerCase() };
      found.set(`${tag.number}-${tag.mac}`, tag);
    }
  }
  return [...found.values()];
}

/** Whether the tag was made for this ticket with this key; compared in constant time. */
export function tagFits(key: Buffer, tag: ReplyTag, ticket: { id: string; number: number }): boolean {
  return tag.number === ticket.number && timingSafeEqual(Buffer.from(tag.mac), Buffer.from(mac(key, ticket.id)));
}
