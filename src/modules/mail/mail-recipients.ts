import type { EntityManager } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { pgArray } from '../../shared/sql';

/** Reads and marks of `mail_recipient` (see MailRecipient), in the caller's transaction. */

const newToken = () => randomBytes(24).toString('base64url');

/**
 * The unsubscribe token of each address, making the row of an address seen for the first time.
 * Two statements whatever the number of addresses.
 */
export async function unsubscribeTokens(em: EntityManager, emails: readonly string[]): Promise<Map<string, string>> {
  const addresses = [...new Set(emails.map((email) => email.toLowerCase()))];
  if (addresses.length === 0) return new Map();
  await em.execute(
    `insert into mail_recipient (id, email, unsubscribe_token, created_at)
     select id, email, token, now() from unnest(?::uuid[], ?::text[], ?::text[]) as u (id, email, token)
     on conflict (email) do nothing`,
    [pgArray(addresses.map(() => uuidv7())), pgArray(addresses), pgArray(addresses.map(newToken))],
  );
  const rows = await em.execute<{ email: string; unsubscribe_token: string }[]>('select email, unsubscribe_token from mail_recipient where email = any(?::text[])', [pgArray(addresses)]);
  return new Map(rows.map((row) => [row.email, row.unsubscribe_token]));
}

/** Stops all mail to an address: it bounced for good. The first bounce's time is kept. */
export async function markBounced(em: EntityManager, email: string, reason: string): Promise<void> {
  await em.execute(
    `insert into mail_recipient (id, email, unsubscribe_token, bounced_at, bounce_reason, created_at) values (?, ?, ?, now(), ?, now())
     on conflict (email) do update set bounced_at = coalesce(mail_recipient.bounced_at, now()), bounce_reason = excluded.bounce_reason`,
    [uuidv7(), email.toLowerCase(), newToken(), reason.slice(0, 1000)],
  );
}

/** Why mail to this address is not to be sent now (a bounce; for optional mail, an unsubscribe), or null. */
export async function recipientStop(em: EntityManager, email: string, optional: boolean): Promise<string | null> {
  const [row] = await em.execute<{ bounced_at: Date | null; bounce_reason: string | null; unsubscribed_at: Date | null }[]>(
    'select bounced_at, bounce_reason, unsubscribed_at from mail_recipient where email = ?',
    [email.toLowerCase()],
  );
  if (row?.bounced_at) return `the address bounced on ${new Date(row.bounced_at).toISOString()} (${row.bounce_reason ?? 'no reason given'})`;
  if (optional && row?.unsubscribed_at) return `the recipient unsubscribed from optional mail on ${new Date(row.unsubscribed_at).toISOString()}`;
  return null;
}
