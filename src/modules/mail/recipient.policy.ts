/**
 * Addresses we never write to, whatever the mail: our own (a mail to ourselves comes back in through
 * inbound email and can loop) and mailboxes no person reads (bounces, no-reply senders), which
 * answer automatically or not at all. Pure, so every sender of mail shares one rule.
 */

/** The address of a From header value (`Support <help@x.example>` → `help@x.example`), lower-case. */
export function addressOf(mailbox: string): string {
  return (/<([^>]+)>\s*$/.exec(mailbox)?.[1] ?? mailbox).trim().toLowerCase();
}

/** Local part without its `+tag`, and domain, lower-case. */
function parts(address: string): { local: string; domain: string } {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at).toLowerCase();
  return { local: local.split('+')[0], domain: address.slice(at + 1).toLowerCase() };
}

/** Mailboxes of mail systems and of senders that say they read nothing. */
const AUTOMATIC_MAILBOX = /^(mailer-daemon|postmaster|daemon|no-?reply|noreply[-_.].*|no-reply[-_.].*|do-?not-?reply|donotreply|bounces?|bounce[-_.].*|auto-?reply|autoresponder)$/;

/**
 * Why a mail to `recipient` must not be sent, or null. `ourAddress` is MAIL_FROM's address, which is
 * also where inbound mail arrives (per-ticket reply addresses are its `+tag` variants).
 */
export function refusedRecipient(recipient: string, ourAddress: string): string | null {
  const to = parts(addressOf(recipient));
  const ours = parts(addressOf(ourAddress));
  if (to.local === ours.local && to.domain === ours.domain) return 'the recipient is our own address';
  if (AUTOMATIC_MAILBOX.test(to.local)) return 'the recipient is an automatic mailbox (mailer-daemon, postmaster, no-reply...)';
  return null;
}
