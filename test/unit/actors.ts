import type { Actor } from '../../src/modules/users/auth/actor';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { Role } from '../../src/modules/users/user.enums';

/** The actors of the unit tests of policies: every kind of the DESIGN.md access table, frozen (a policy that mutated its input would throw). */
export const OWN_BUSINESS = '0190a000-0000-7000-8000-000000000001';
export const OTHER_BUSINESS = '0190a000-0000-7000-8000-000000000002';

export const key = (...scopes: ApiScope[]): Actor =>
  Object.freeze({ kind: 'apiKey', id: `key-${scopes.join('+') || 'none'}`, name: 'Integration', scopes: Object.freeze([...scopes]) });

export const ACTORS = {
  anonymous: Object.freeze({ kind: 'anonymous' }),
  customer: Object.freeze({ kind: 'contact', id: 'contact-1', businessId: OWN_BUSINESS, name: 'Carla Customer', email: 'carla@customer.example' }),
  agent: Object.freeze({ kind: 'user', id: 'user-agent', role: Role.AGENT, name: 'Alex Agent', email: 'alex@staff.example' }),
  admin: Object.freeze({ kind: 'user', id: 'user-admin', role: Role.ADMIN, name: 'Ada Admin', email: 'ada@staff.example' }),
  'key without scopes': key(),
  'key TICKETS_READ': key(ApiScope.TICKETS_READ),
  'key TICKETS_WRITE': key(ApiScope.TICKETS_WRITE),
  'key COMMENTS_INTERNAL': key(ApiScope.COMMENTS_INTERNAL),
  'key REPORTS_READ': key(ApiScope.REPORTS_READ),
  'key MONITORING': key(ApiScope.MONITORING),
  'key TICKETS_READ+TICKETS_WRITE': key(ApiScope.TICKETS_READ, ApiScope.TICKETS_WRITE),
  'key TICKETS_READ+COMMENTS_INTERNAL': key(ApiScope.TICKETS_READ, ApiScope.COMMENTS_INTERNAL),
  'key every scope': key(...Object.values(ApiScope)),
} satisfies Record<string, Actor>;

export type ActorName = keyof typeof ACTORS;
export const ACTOR_NAMES = Object.keys(ACTORS) as ActorName[];

/** Turns `{ actor: expected }` (which must name every actor) into it.each rows. */
export function rows<T>(expected: Record<ActorName, T>): [ActorName, T][] {
  return ACTOR_NAMES.map((name) => [name, expected[name]]);
}

export const ALL = { kind: 'all' } as const;
export const NONE = { kind: 'none' } as const;
