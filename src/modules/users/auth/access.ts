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
