import type { Actor } from './auth/actor';
import { isAdmin, isStaffOrScoped } from './auth/access';
import { ApiScope } from './auth/api-scope.enum';

/** Users, API keys (and later SLA policies and webhooks) are administered by admins only. */
export function canAdminister(actor: Actor): boolean {
  return isAdmin(actor);
}

/** The staff directory (to assign and mention): staff, or an API key that reads tickets. */
export function canListUsers(actor: Actor): boolean {
  return isStaffOrScoped(actor, ApiScope.TICKETS_READ);
}
