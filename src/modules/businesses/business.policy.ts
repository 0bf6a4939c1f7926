import type { Actor } from '../users/auth/actor';
import { isStaffOrScoped } from '../users/auth/access';
import { ApiScope } from '../users/auth/api-scope.enum';

/** Which businesses (and their contacts) an actor may read; the same shape as the ticket scope. */
export type BusinessScope = { kind: 'all' } | { kind: 'one'; businessId: string } | { kind: 'none' };

export function businessScope(actor: Actor): BusinessScope {
  if (isStaffOrScoped(actor, ApiScope.TICKETS_READ)) return { kind: 'all' };
  if (actor.kind === 'contact') return { kind: 'one', businessId: actor.businessId };
  return { kind: 'none' };
}

/** Creating businesses and contacts is triage work: staff, or an API key with TICKETS_WRITE. */
export function canManageBusinesses(actor: Actor): boolean {
  return isStaffOrScoped(actor, ApiScope.TICKETS_WRITE);
}
