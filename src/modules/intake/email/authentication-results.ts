/**
 * Authentication-Results (RFC 8601): what the receiving mail server found when it checked the sender
 * (SPF, DKIM, DMARC). We verify nothing ourselves; we read the verdict our own forwarder wrote. No
 * well-kept npm package parses this header on its own (mailauth does it inside a full verifier), so
 * this is a small parser of the grammar's parts we need.
 */

/** One `method=result` of a header, both lowercased (`dmarc`, `fail`). */
export interface AuthResult {
  method: string;
  result: string;
}

/** One parsed header: who wrote it (the authserv-id, lowercased) and its results. */
export interface AuthResultsHeader {
  authservId: string;
  results: AuthResult[];
}

/**
 * The header value with its comments removed (nested, with quoted-pairs) and cut at each `;` that
 * stands outside a quoted string. An unclosed comment or quote runs to the end. One pass, so a hostile
 * header cannot make it slow.
 */
function segments(value: string): string[] {
  const parts: string[] = [];
  let current = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i += 1) {
    const char = value[i];
    if (char === '\\' && (quoted || depth > 0)) {
      if (quoted) current += value.slice(i, i + 2);
      i += 1;
    } else if (depth > 0) {
      if (char === '(') depth += 1;
      else if (char === ')') depth -= 1;
    } else if (quoted) {
      current += char;
      if (char === '"') quoted = false;
    } else if (char === '(') {
      depth = 1;
      current += ' ';
    } else if (char === '"') {
      quoted = true;
      current += char;
    } else if (char === ';') {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

const unquote = (value: string) => (value.startsWith('"') ? value.slice(1, value.endsWith('"') && value.length > 1 ? -1 : undefined).replace(/\\(.)/g, '$1') : value);

/** `method[/version] = result`, the start of a resinfo; what follows (reason, properties) is not needed. */
const METHOD_SPEC = /^\s*([a-z0-9][a-z0-9_.-]*)\s*(?:\/\s*\d+\s*)?=\s*([a-z0-9][a-z0-9_.-]*)/i;

/** Parses one header value (without the field name). Null when it names no authserv-id. */
export function parseAuthenticationResults(value: string): AuthResultsHeader | null {
  const [head, ...rest] = segments(value.replace(/\r?\n/g, ''));
  // The authserv-id, then an optional version number: `mx.example.com 1`.
  const authservId = unquote(/^\s*("(?:[^"\\]|\\.)*"?|[^\s"]+)/.exec(head)?.[1] ?? '').toLowerCase();
  if (authservId === '') return null;
  const results: AuthResult[] = [];
  for (const part of rest) {
    const spec = METHOD_SPEC.exec(part);
    if (spec) results.push({ method: spec[1].toLowerCase(), result: spec[2].toLowerCase() });
  }
  return { authservId, results };
}

const SPF_FAILED = new Set(['fail', 'softfail']);

/**
 * Why the sender is not to be believed, or null. `headers` are the message's Authentication-Results
 * values, topmost (latest added) first. Only headers written by `trustedId` count; when it is unset,
 * the authserv-id of the topmost header is trusted (our forwarder adds its header last, above any the
 * sender wrote). The sender fails when any trusted header says `dmarc=fail`, or when one says
 * `spf=fail` or `spf=softfail` and none says `dkim=pass`. A DMARC failure in any trusted header counts,
 * so a header the sender forged with our id cannot hide one; a forged `dkim=pass` could hide an SPF
 * failure, which is why the forwarder must drop incoming headers bearing its id (RFC 8601 section 5).
 */
export function senderFailure(headers: readonly string[], trustedId?: string): string | null {
  const parsed = headers.map(parseAuthenticationResults).filter((header): header is AuthResultsHeader => header !== null);
  const trusted = trustedId?.toLowerCase() ?? parsed[0]?.authservId;
  if (trusted === undefined) return null;
  const results = parsed.filter((header) => header.authservId === trusted).flatMap((header) => header.results);
  const of = (method: string) => results.filter((r) => r.method === method).map((r) => r.result);
  if (of('dmarc').includes('fail')) return `${trusted} says dmarc=fail`;
  const spf = of('spf').find((result) => SPF_FAILED.has(result));
  const dkim = of('dkim');
  if (spf && !dkim.includes('pass')) return `${trusted} says spf=${spf} and dkim=${dkim[0] ?? 'none'}`;
  return null;
}
