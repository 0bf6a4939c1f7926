import type { User } from './user.entity';

/**
 * Accounts shown to their owner before the request is theirs: `login` is sent anonymously, yet its
 * payload is the account that just proved its password, private fields included. Marked per object
 * (each request loads its own), so the mark never reaches another request.
 */
const shownToOwner = new WeakSet<User>();

export function showToOwner(user: User): User {
  shownToOwner.add(user);
  return user;
}

export function isShownToOwner(user: User): boolean {
  return shownToOwner.has(user);
}
