import { denied, isAdmin } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';

/**
 * Things a staff member keeps for itself or the team shares (macros, saved views): a row with an
 * owner is personal to that staff member; a row without one is shared with every staff member and
 * managed by admins. Customers and API keys have neither. Pure functions.
 */
export interface Owned {
  owner: { id: string } | null;
}

type StaffActor = Extract<Actor, { kind: 'user' }>;

/** The acting staff member; FORBIDDEN (UNAUTHENTICATED when anonymous) for anyone else. */
export function staffOnly(actor: Actor, what: string): StaffActor {
  if (actor.kind !== 'user') throw denied(actor, `${what[0].toUpperCase()}${what.slice(1)} are for staff accounts only.`);
  return actor;
}

/** Whether it may change or delete the row: its own, and shared ones when it is an admin. */
export function canManageOwned(actor: StaffActor, row: Owned): boolean {
  return row.owner === null ? isAdmin(actor) : row.owner.id === actor.id;
}

/** The rows the staff member may use, as a MikroORM condition. */
export function usableOwnedWhere(actor: StaffActor) {
  return { $or: [{ owner: null }, { owner: actor.id }] };
}
