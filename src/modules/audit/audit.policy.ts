import type { Actor } from '../users/auth/actor';
import { isAdmin } from '../users/auth/access';

/** The audit log is read by admins only. */
export function canReadAuditLog(actor: Actor): boolean {
  return isAdmin(actor);
}
