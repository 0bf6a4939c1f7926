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
 * Actors of one class read exactly the same data through every field. Subscribers of one class with
 * the same query share one execution of it, so a policy that looks at more than the class must be
 * reflected here. For staff and API keys the policies (and the rules of modules/access/visibility.ts)
 * look at kind, role and scopes only (`seesUserPrivateFields` for one's own account matters only for
 * an actor outside the staff directory reading its own `me`/`login` view, which no subscription
 * payload carries). A contact is a class of its own: `seesMailStatus` shows a contact its own mail
 * status (a bounce reason) and not a colleague's, and that field is reachable from subscription
 * payloads (`ticket { contact { mailStatus } }`). Customers are few per business, so little sharing is lost.
 */
export function accessClassOf(actor: Actor): string {
  switch (actor.kind) {
    case 'user':
      return `user:${actor.role}`;
    case 'contact':
      return `contact:${actor.businessId}:${actor.id}`;
    case 'apiKey':
      return `apiKey:${[...actor.scopes].sort().join(',')}`;
    default:
      return actor.kind;
  }
}
