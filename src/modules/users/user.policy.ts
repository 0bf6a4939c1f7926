import type { Actor } from './auth/actor';
import { isAdmin } from './auth/access';

/** Users, API keys (and later SLA policies and webhooks) are administered by admins only. */
export function canAdminister(actor: Actor): boolean {
  return isAdmin(actor);
}
