import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/**
 * Links in customer mail. The resolution link lets whoever received the resolution mail confirm or
 * reopen that resolution without signing in: it names the ticket and the moment it was resolved and
 * carries a MAC of both under a server key, so nobody can make one, and it stops working once the
 * ticket is resolved again (or no longer resolved: the action then fails as a stale move would).
 */

/** 16 bytes of HMAC-SHA256: 128 bits, base64url. */
const MAC_BYTES = 16;

/** The key of mail links, derived (HKDF-SHA256) from the server's session secret, which every instance shares. */
export function mailLinkKey(serverSecret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', serverSecret, 'ticketgraph', 'mail links v1', 32));
}

function mac(key: Buffer, ticketId: string, resolvedAtMs: number): Buffer {
  return createHmac('sha256', key).update(`resolution:${ticketId}:${resolvedAtMs}`).digest().subarray(0, MAC_BYTES);
}

/** `<ticket id>.<resolved at, ms>.<mac>` */
export function resolutionToken(key: Buffer, ticket: { id: string; resolvedAt: Date }): string {
  const at = ticket.resolvedAt.getTime();
  return `${ticket.id}.${at}.${mac(key, ticket.id, at).toString('base64url')}`;
}

/** The ticket and resolution a token names, or null when it is not one we made. */
export function readResolutionToken(key: Buffer, token: string): { ticketId: string; resolvedAtMs: number } | null {
  const match = /^([0-9a-f-]{36})\.(\d{1,15})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!match) return null;
  const [, ticketId, at] = match;
  const given = Buffer.from(match[3], 'base64url');
  const expected = mac(key, ticketId, Number(at));
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ticketId, resolvedAtMs: Number(at) } : null;
}

/** The routes of customer-mail.router.ts, as absolute links under PUBLIC_URL. */
export const mailLinks = {
  unsubscribe: (publicUrl: string, token: string) => `${publicUrl}/mail/unsubscribe/${encodeURIComponent(token)}`,
  resolution: (publicUrl: string, token: string) => `${publicUrl}/mail/resolution/${encodeURIComponent(token)}`,
  rate: (publicUrl: string, ticketGlobalId: string, satisfactionToken: string) =>
    `${publicUrl}/mail/rate/${encodeURIComponent(ticketGlobalId)}/${encodeURIComponent(satisfactionToken)}`,
};
