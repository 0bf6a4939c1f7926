import { createHash, randomBytes } from 'node:crypto';

/** API keys look like `tgk_<43 base64url characters>`: 256 random bits behind a recognizable prefix. */
const KEY_PREFIX = 'tgk_';
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 8;

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, prefix: key.slice(0, SHOWN_PREFIX_LENGTH), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(KEY_PREFIX);
}
