import type { Actor } from '../users/auth/actor';
import { isStaffOrScoped } from '../users/auth/access';
import { ApiScope } from '../users/auth/api-scope.enum';

/** Who may create businesses. Who may read them (and their contacts) is decided in ../access/visibility.ts. */

/** Creating businesses and contacts is triage work: staff, or an API key with TICKETS_WRITE. */
export function canManageBusinesses(actor: Actor): boolean {
  return isStaffOrScoped(actor, ApiScope.TICKETS_WRITE);
}
