import type { Actor } from '../users/auth/actor';
import { isStaffOrScoped } from '../users/auth/access';
import { ApiScope } from '../users/auth/api-scope.enum';

/** Internal comments and internal timeline entries: staff, or an API key with COMMENTS_INTERNAL. Never a customer. */
export function canSeeInternal(actor: Actor): boolean {
  return isStaffOrScoped(actor, ApiScope.COMMENTS_INTERNAL);
}

/**
 * The condition every read of comments or timeline entries adds (as SQL): a viewer who may not see
 * internal rows never fetches them, so they cannot leak through a nested field, a count or a lookup.
 */
export function visibleCommentFilter(actor: Actor): { isInternal?: false } {
  return canSeeInternal(actor) ? {} : { isInternal: false };
}
