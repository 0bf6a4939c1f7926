import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { bareHost, isNonPublicAddress, NonPublicAddressError, publicOnlyLookup } from './webhook-address';

/** How much of a receiver's answer is read (and kept, on failure): enough for an error message. */
const RESPONSE_BODY_CAP = 64 * 1024;

export interface PostAnswer {
  status: number;
  /** The answer's first RESPONSE_BODY_CAP bytes, as text. */
  body: string;
}

/**
 * POSTs `body` and reads the answer, all within `timeoutMs` (an AbortSignal ends a slow connect, a
 * slow answer and a slow body alike). Redirects are not followed: a 3xx is an answer like any other.
 * Unless `allowPrivate`, the address connected to must be public (checked at connection time).
 */
export function postJson(target: string, body: string, headers: Record<string, string>, options: { timeoutMs: number; allowPrivate: boolean }): Promise<PostAnswer> {
  const url = new URL(target);
  const host = bareHost(url);
  // An IP literal is connected to without a lookup, so publicOnlyLookup would not see it.
  if (!options.allowPrivate && isIP(host) && isNonPublicAddress(host)) {
    return Promise.reject(new NonPublicAddressError(host, host));
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<PostAnswer>((resolve, reject) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        signal: AbortSignal.timeout(options.timeoutMs),
        lookup: options.allowPrivate ? undefined : (publicOnlyLookup as never),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const finish = () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        response.on('data', (chunk: Buffer) => {
          if (size >= RESPONSE_BODY_CAP) return;
          chunks.push(chunk.subarray(0, RESPONSE_BODY_CAP - size));
          size += chunk.length;
          // Enough read: the rest of a large answer is not worth waiting for.
          if (size >= RESPONSE_BODY_CAP) {
            response.destroy();
            finish();
          }
        });
        response.on('end', finish);
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
