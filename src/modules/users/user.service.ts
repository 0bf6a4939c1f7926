import type { EntityManager } from '@mikro-orm/postgresql';
import { denied } from './auth/access';
import { badInput, notFound, unauthenticated } from '../../shared/errors';
import { email, idOf, LIMITS, text } from '../../shared/validation';
import { Contact } from '../businesses/contact.entity';
import type { Actor } from './auth/actor';
import { checkedPassword, hashPassword, UNKNOWN_ACCOUNT_HASH, verifyPassword } from './auth/passwords';
import type { TokenService } from './auth/tokens';
import { User } from './user.entity';
import { showToOwner } from './own-account';
import { Availability, Role, type StaffRole } from './user.enums';
import type { CreateUserInput, LoginInput } from './user.inputs';
import { canAdminister } from './user.policy';
import { seesStaffDirectory } from '../access/visibility';

/**
 * The account type `User` also stands for a customer who logged in: role CUSTOMER, and the id of
 * its Contact (so `node(id:)` answers with the contact). Only `me` and `login` return such a view.
 */
export function contactAsUser(contact: Contact): User {
  const view = Object.create(User.prototype) as User;
  // Object.create skips the field initializers: the staff-only fields get values that fit a customer,
  // who holds no tickets (null would break their non-null fields).
  Object.assign(view, {
    id: contact.id,
    createdAt: contact.createdAt,
    name: contact.name,
    email: contact.email,
    role: Role.CUSTOMER,
    capacity: 0,
    availability: Availability.AWAY,
  });
  Object.defineProperty(view, 'globalId', { value: contact.globalId });
  return view;
}

/** Staff accounts and logins. */
export class UserService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly tokens: TokenService,
  ) {}

  /**
   * Staff users are looked up first, then contacts with a password. A wrong password and an unknown
   * email get the same answer after the same work (a hash is verified either way).
   */
  async login(input: LoginInput): Promise<{ token: string; user: User }> {
    const address = input.email.trim().toLowerCase();
    const account: User | Contact | null =
      (await this.em.findOne(User, { email: address })) ??
      (await this.em.findOne(Contact, { email: address, passwordHash: { $ne: null } }));
    const valid = await verifyPassword(account?.passwordHash ?? (await UNKNOWN_ACCOUNT_HASH), input.password);
    if (!account || !valid) throw unauthenticated('Wrong email or password.');
    const token = await this.tokens.sign({ kind: account instanceof User ? 'user' : 'contact', id: account.id });
    return { token, user: showToOwner(account instanceof User ? account : contactAsUser(account)) };
  }

  /** The signed-in account (a customer as its `contactAsUser` view); null for anonymous and API keys. */
  async me(): Promise<User | null> {
    if (this.actor.kind === 'user') return this.em.findOne(User, { id: this.actor.id });
    if (this.actor.kind !== 'contact') return null;
    const contact = await this.em.findOne(Contact, { id: this.actor.id });
    return contact && contactAsUser(contact);
  }

  /** A staff member, for those who may list users, and one's own account for everyone. */
  async get(userId: string): Promise<User> {
    const id = idOf(userId, 'User', 'id');
    const user = seesStaffDirectory(this.actor) || (this.actor.kind === 'user' && this.actor.id === id) ? await this.em.findOne(User, { id }) : null;
    if (!user) throw notFound('User');
    return user;
  }

  list(role?: Role | null): Promise<User[]> {
    if (!seesStaffDirectory(this.actor)) throw denied(this.actor, 'Only staff and API keys with TICKETS_READ list users.');
    if (role === Role.CUSTOMER) return Promise.resolve([]);
    return this.em.find(User, role ? { role } : {}, { orderBy: { name: 'asc', id: 'asc' } });
  }

  async create(input: CreateUserInput): Promise<User> {
    if (!canAdminister(this.actor)) throw denied(this.actor, 'Only admins create users.');
    if (input.role === Role.CUSTOMER) throw badInput('Customers are contacts: use createContact.', 'role');
    const fields = { name: text(input.name, 'name', LIMITS.name), email: email(input.email, 'email') };
    const passwordHash = await hashPassword(checkedPassword(input.password, 'password'));
    return this.em.transactional(async (em) => {
      if (await em.count(User, { email: fields.email })) throw badInput('A user with this email already exists.', 'email');
      const user = em.create(User, { ...fields, role: input.role as StaffRole, passwordHash });
      await em.flush();
      return user;
    });
  }
}

/** Makes sure the admin named by ADMIN_EMAIL exists (created when missing; an existing account is left as it is). */
export async function ensureAdmin(em: EntityManager, admin: { email: string; password: string }): Promise<boolean> {
  if (await em.count(User, { email: admin.email })) return false;
  em.create(User, { name: 'Administrator', email: admin.email, role: Role.ADMIN, passwordHash: await hashPassword(admin.password) });
  await em.flush();
  return true;
}
