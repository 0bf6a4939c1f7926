import { badInput } from '../../shared/errors';
import { text } from '../../shared/validation';
import { bareHost, isNonPublicAddress, resolveAll } from './webhook-address';

const MAX_URL_LENGTH = 2000;

/**
 * An endpoint URL as saved: http or https, no credentials, and (unless private addresses are allowed)
 * a host that resolves, to public addresses only. Checked again at every attempt (see webhook-http.ts),
 * since DNS can change after the endpoint is saved.
 */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<string> {
  const value = text(raw, 'url', MAX_URL_LENGTH);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badInput('url is not a valid URL.', 'url');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput('url must start with https:// or http://.', 'url');
  if (url.username || url.password) throw badInput('url must not hold a user name or password; authenticate messages by their signature.', 'url');
  if (allowPrivate) return url.href;
  const host = bareHost(url);
  let addresses: string[];
  try {
    addresses = await resolveAll(host);
  } catch {
    throw badInput(`url: ${host} does not resolve.`, 'url');
  }
  if (addresses.some(isNonPublicAddress)) {
    throw badInput(`url: ${host} resolves to a loopback, private or otherwise non-public address, which webhooks may not reach.`, 'url');
  }
  return url.href;
}
