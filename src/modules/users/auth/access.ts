import { forbidden, unauthenticated } from '../../../shared/errors';
import type { Actor } from './actor';
import { ApiScope } from './api-scope.enum';
import { Role } from '../user.enums';

/** Basic facts about an actor that the module policies combine. Pure functions. */
export function isStaff(actor: Actor): actor is Extract<Actor, { kind: 'user' }> {
  return actor.kind === 'user';
}

export function isAdmin(actor: Actor): boolean {
  return actor.kind === 'user' && actor.role === Role.ADMIN;
}

export function hasScope(actor: Actor, scope: ApiScope): boolean {
  return actor.kind === 'apiKey' && actor.scopes.includes(scope);
}

/** Staff, or an API key holding `scope`. */
export function isStaffOrScoped(actor: Actor, scope: ApiScope): boolean {
  return isStaff(actor) || hasScope(actor, scope);
}

/** The refusal for an actor: "sign in" (UNAUTHENTICATED) when anonymous, FORBIDDEN otherwise. */
export function denied(actor: Actor, message: string) {
  return actor.kind === 'anonymous' ? unauthenticated(`Sign in first. ${message}`) : forbidden(message);
}

/**
 * Actors of one class read exactly the same data through every field: the policies (and the rules of
 * modules/access/visibility.ts) look at an actor's kind, role, business and scopes, never at who it
 * is. Subscribers of one class with the same query share one execution of it, so a policy that looked
 * at more would have to add it here. The one exception, `seesUserPrivateFields` for one's own account,
 * only matters for an actor outside the staff directory reading its own `me`/`login` view, which no
 * subscription payload carries.
 */
export function accessClassOf(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return `user:${actor.role}`;
    case 'contact':
      return `contact:${actor.businessId}`;
    case 'apiKey':
      return `apiKey:${[...actor.scopes].sort().join(',')}`;
    default:
      return actor.kind;
  }
}
