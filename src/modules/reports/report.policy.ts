import { ApiScope } from '../users/auth/api-scope.enum';
import type { Actor } from '../users/auth/actor';
import { isStaffOrScoped } from '../users/auth/access';

/** Reports are for staff and API keys with REPORTS_READ; customers never see team figures. */
export function canReadReports(actor: Actor): boolean {
  return isStaffOrScoped(actor, ApiScope.REPORTS_READ);
}
