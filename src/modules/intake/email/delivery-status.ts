/**
 * Delivery status notifications (RFC 3464): the `message/delivery-status` part of a bounce names each
 * recipient that failed, with a status code; a 5.x.x status is permanent (a hard bounce). Pure.
 */

export interface HardBounce {
  /** The address that refused, lower-case. */
  recipient: string;
  /** `5.1.1` and the diagnostic, for the record. */
  reason: string;
}

/** The fields of one block (per-message or per-recipient), names lower-case, folded lines joined. */
function fieldsOf(block: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return fields;
}

/** The recipients a delivery-status part reports as failed for good. */
export function hardBounces(deliveryStatus: string): HardBounce[] {
  const bounces: HardBounce[] = [];
  for (const block of deliveryStatus.slice(0, 100_000).split(/\r?\n\s*\r?\n/)) {
    const fields = fieldsOf(block);
    const status = /^5\.\d{1,3}\.\d{1,3}/.exec(fields.get('status') ?? '')?.[0];
    const recipient = /;\s*<?([^\s<>;]+@[^\s<>;]+?)>?\s*$/.exec(fields.get('final-recipient') ?? fields.get('original-recipient') ?? '')?.[1];
    if (!status || !recipient || (fields.get('action') ?? 'failed').toLowerCase() !== 'failed') continue;
    const diagnostic = fields.get('diagnostic-code');
    bounces.push({ recipient: recipient.toLowerCase(), reason: diagnostic ? `${status} ${diagnostic}`.slice(0, 500) : status });
  }
  return bounces;
}

/** The Message-ID of the returned message, from its headers part (`text/rfc822-headers` or `message/rfc822`). */
export function returnedMessageId(headers: string): string | null {
  return /^Message-ID:\s*(<[^<>\s]+>)/im.exec(headers.slice(0, 100_000))?.[1] ?? null;
}
