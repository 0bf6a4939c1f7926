/**
 * Global ids are `base64url("<Type>:<uuid>")`: opaque to clients, and they tell `node(id:)` which table
 * to read. Decoding checks the shape, so a forged or truncated id is a bad input, not a database error.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function toGlobalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

/** Returns the type and key, or null when the id is not one we issued. */
export function fromGlobalId(globalId: string): { type: string; id: string } | null {
  if (globalId.length > 200 || !/^[A-Za-z0-9_-]+$/.test(globalId)) return null;
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator <= 0) return null;
  const type = decoded.slice(0, separator);
  const id = decoded.slice(separator + 1);
  return /^[A-Za-z]+$/.test(type) && UUID.test(id) ? { type, id } : null;
}
