import { LockMode } from '@mikro-orm/core';
import { ADMINS_LOCK } from '../../db/locks';
import type { EntityManager } from '@mikro-orm/postgresql';
import { denied } from './auth/access';
import { badInput, conflict, forbidden, notFound, unauthenticated } from '../../shared/errors';
import { email, idOf, LIMITS, optionalIdOf, optionalText, text } from '../../shared/validation';
import { Contact } from '../businesses/contact.entity';
import type { AuditActor, AuditService, AuditTarget } from '../audit/audit.service';
import { AuditAction, AuditActorType } from '../audit/audit.enums';
import type { AccessDeps, RequestOrigin } from './auth/access-deps';
import type { Actor } from './auth/actor';
import { checkedPassword, hashPassword, UNKNOWN_ACCOUNT_HASH, verifyPassword } from './auth/passwords';
import { principal } from './auth/revocations';
import { accountKind, endSession, endSessions, openSession, type Account } from './auth/sessions';
import { User } from './user.entity';
import { showToOwner } from './own-account';
import { Availability, Role, type StaffRole } from './user.enums';
import type { AccountInput, ChangePasswordInput, CreateUserInput, LoginInput, LogoutInput, UpdateUserInput } from './user.inputs';
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

/** The account as `User`, shown to its owner: `login` and `changePassword` answer with one's own private fields. */
export function asUser(account: Account): User {
  return showToOwner(account instanceof User ? account : contactAsUser(account));
}

export function targetOf(account: Account): AuditTarget {
  return { type: account instanceof User ? 'User' : 'Contact', id: account.id, name: account.email };
}

export function auditActorOf(account: Account): AuditActor {
  return { type: account instanceof User ? AuditActorType.USER : AuditActorType.CONTACT, id: account.id, name: account.name };
}

/** Staff accounts, logins and sessions. */
export class UserService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly deps: AccessDeps,
    private readonly audit: AuditService,
    private readonly origin: RequestOrigin,
  ) {}

  /**
   * Staff users are looked up first, then contacts with a password. A wrong password, an unknown
   * email and a deactivated account get the same answer after the same work (a hash is verified
   * either way), and count alike towards the login throttle, which is checked before anything else.
   */
  async login(input: LoginInput): Promise<{ token: string; user: User }> {
    const address = input.email.trim().toLowerCase();
    const client = this.origin.clientAddress;
    await this.deps.loginThrottle.check(address, client);
    const account: Account | null =
      (await this.em.findOne(User, { email: address })) ?? (await this.em.findOne(Contact, { email: address, passwordHash: { $ne: null } }));
    const valid = await verifyPassword(account?.passwordHash ?? (await UNKNOWN_ACCOUNT_HASH), input.password);
    if (!account || !valid || account.deactivatedAt) {
      const reachedLimit = await this.deps.loginThrottle.failed(address, client);
      const details = { email: address.slice(0, LIMITS.email) };
      const target = account ? targetOf(account) : undefined;
      await this.audit.recordNow(AuditAction.LOGIN_FAILED, { target, details });
      if (reachedLimit) await this.audit.recordNow(AuditAction.LOGIN_THROTTLED, { target, details });
      throw unauthenticated('Wrong email or password.');
    }
    await this.deps.loginThrottle.succeeded(address);
    const token = await this.em.transactional(async (em) => {
      const opened = await openSession(em, this.deps.tokens, account, client);
      this.audit.record(em, AuditAction.LOGIN, { by: auditActorOf(account), target: targetOf(account) });
      return opened;
    });
    return { token, user: asUser(account) };
  }

  /** Ends this session, or with `everywhere` every session of the account; their connections close. */
  async logout(input: LogoutInput | null | undefined): Promise<{ endedSessions: number }> {
    const { kind, id } = this.sessionHolder('log out');
    const everywhere = input?.everywhere ?? false;
    const ended = await this.em.transactional(async (em) => {
      const sessions = everywhere ? await endSessions(em, kind, id) : (await endSession(em, this.origin.sessionId!)) ? [this.origin.sessionId!] : [];
      this.audit.record(em, AuditAction.LOGOUT, { target: { type: kind === 'user' ? 'User' : 'Contact', id, name: this.actorEmail() }, details: { sessions: sessions.length, everywhere } });
      return sessions;
    });
    this.deps.revocations.publish({ principals: ended.map(principal.session) });
    return { endedSessions: ended.length };
  }

  /**
   * The signed-in staff member or contact sets a new password, giving the current one (a wrong one
   * counts towards the login throttle). Every session of the account ends, this one included, and a
   * new session's token is returned.
   */
  async changePassword(input: ChangePasswordInput): Promise<{ token: string; user: User }> {
    const { kind, id } = this.sessionHolder('change a password');
    const newPassword = checkedPassword(input.newPassword, 'newPassword');
    const account: Account | null = kind === 'user' ? await this.em.findOne(User, { id }) : await this.em.findOne(Contact, { id });
    if (!account?.passwordHash) throw unauthenticated('The session token is invalid, has expired or was ended; log in again.');
    await this.deps.loginThrottle.check(account.email, this.origin.clientAddress);
    if (!(await verifyPassword(account.passwordHash, input.currentPassword))) {
      if (await this.deps.loginThrottle.failed(account.email, this.origin.clientAddress)) {
        await this.audit.recordNow(AuditAction.LOGIN_THROTTLED, { target: targetOf(account), details: { email: account.email } });
      }
      throw badInput('currentPassword is not the password in use.', 'currentPassword');
    }
    const passwordHash = await hashPassword(newPassword);
    const { token, ended } = await this.em.transactional(async (em) => {
      await em.nativeUpdate(kind === 'user' ? User : Contact, { id }, { passwordHash });
      const sessions = await endSessions(em, kind, id);
      const opened = await openSession(em, this.deps.tokens, account, this.origin.clientAddress);
      this.audit.record(em, AuditAction.CHANGE_PASSWORD, { target: targetOf(account), details: { endedSessions: sessions.length } });
      return { token: opened, ended: sessions };
    });
    this.deps.revocations.publish({ principals: ended.map(principal.session) });
    return { token, user: asUser(account) };
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
      this.audit.record(em, AuditAction.CREATE_USER, { target: targetOf(user), details: { role: user.role } });
      await em.flush();
      return user;
    });
  }

  /** Name and role. A new role applies from the next request; open connections close so that they reconnect under it. */
  async update(input: UpdateUserInput): Promise<User> {
    if (!canAdminister(this.actor)) throw denied(this.actor, 'Only admins change users.');
    const id = idOf(input.userId, 'User', 'userId');
    const name = optionalText(input.name, 'name', LIMITS.name);
    if (input.role === Role.CUSTOMER) throw badInput('Customers are contacts; staff roles are ADMIN and AGENT.', 'role');
    const role = (input.role ?? null) as StaffRole | null;
    const { user, roleChanged } = await this.em.transactional(async (em) => {
      await lockAdmins(em);
      const found = await em.findOne(User, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!found) throw notFound('User');
      const details: Record<string, unknown> = {};
      if (name !== null && name !== found.name) details.name = { from: found.name, to: name };
      if (role !== null && role !== found.role) {
        if (found.role === Role.ADMIN && !found.deactivatedAt) await ensureAnotherActiveAdmin(em, found.id);
        details.role = { from: found.role, to: role };
      }
      if (Object.keys(details).length > 0) {
        em.assign(found, { ...(name !== null && { name }), ...(role !== null && { role }) });
        this.audit.record(em, AuditAction.UPDATE_USER, { target: targetOf(found), details });
      }
      return { user: found, roleChanged: 'role' in details };
    });
    if (roleChanged) this.deps.revocations.publish({ principals: [principal.account('user', user.id)] });
    return user;
  }

  /**
   * Deactivates or reactivates a login. Deactivating ends every session and closes every connection
   * of the account at once; its tickets, comments and history stay. A deactivated agent is set AWAY
   * so automatic assignment skips it. Nobody deactivates their own account or the last active admin.
   */
  async setActive(input: AccountInput, active: boolean): Promise<{ user: User | null; contact: Contact | null; active: boolean }> {
    if (!canAdminister(this.actor)) throw denied(this.actor, `Only admins ${active ? 'reactivate' : 'deactivate'} accounts.`);
    const userId = optionalIdOf(input.userId, 'User', 'userId');
    const contactId = optionalIdOf(input.contactId, 'Contact', 'contactId');
    if ((userId === null) === (contactId === null)) throw badInput('Give exactly one of userId and contactId.', userId ? 'contactId' : 'userId');
    if (!active && this.actor.kind === 'user' && userId === this.actor.id) throw badInput('You cannot deactivate your own account.', 'userId');
    const { account, changed } = await this.em.transactional(async (em) => {
      if (userId) await lockAdmins(em);
      const lock = { lockMode: LockMode.PESSIMISTIC_WRITE } as const;
      const found: Account | null = userId ? await em.findOne(User, { id: userId }, lock) : await em.findOne(Contact, { id: contactId! }, lock);
      if (!found) throw notFound(userId ? 'User' : 'Contact');
      if (Boolean(found.deactivatedAt) !== active) return { account: found, changed: false };
      if (!active && found instanceof User && found.role === Role.ADMIN) await ensureAnotherActiveAdmin(em, found.id);
      found.deactivatedAt = active ? null : new Date();
      if (!active && found instanceof User) found.availability = Availability.AWAY;
      const ended = active ? [] : await endSessions(em, accountKind(found), found.id);
      this.audit.record(em, active ? AuditAction.REACTIVATE_USER : AuditAction.DEACTIVATE_USER, {
        target: targetOf(found),
        details: active ? {} : { endedSessions: ended.length },
      });
      return { account: found, changed: true };
    });
    if (changed && !active) this.deps.revocations.publish({ principals: [principal.account(accountKind(account), account.id)] });
    return { user: account instanceof User ? account : null, contact: account instanceof Contact ? account : null, active };
  }

  /** When a login was deactivated, as admins see it; everyone else sees null (it is not theirs to know). */
  deactivatedAtOf(account: { deactivatedAt?: Date | null }): Date | null {
    return canAdminister(this.actor) ? (account.deactivatedAt ?? null) : null;
  }

  /** The account behind a session token; API keys and anonymous requests have no session. */
  private sessionHolder(what: string): { kind: 'user' | 'contact'; id: string } {
    if ((this.actor.kind !== 'user' && this.actor.kind !== 'contact') || !this.origin.sessionId) {
      throw this.actor.kind === 'anonymous' ? unauthenticated(`Sign in to ${what}.`) : forbidden(`Only a signed-in staff member or contact can ${what}.`);
    }
    return { kind: this.actor.kind, id: this.actor.id };
  }

  private actorEmail(): string {
    return this.actor.kind === 'user' || this.actor.kind === 'contact' ? this.actor.email : '';
  }
}

/**
 * Serializes the changes that may leave fewer active admins, taken before any row lock (so two admins
 * demoting or deactivating each other at once cannot both succeed, nor deadlock).
 */
async function lockAdmins(em: EntityManager): Promise<void> {
  await em.execute('select pg_advisory_xact_lock(?)', [ADMINS_LOCK]);
}

/** CONFLICT unless an active admin other than `userId` remains (under lockAdmins). */
async function ensureAnotherActiveAdmin(em: EntityManager, userId: string): Promise<void> {
  if ((await em.count(User, { role: Role.ADMIN, deactivatedAt: null, id: { $ne: userId } })) === 0) {
    throw conflict('At least one active admin must remain.');
  }
}

/** Makes sure the admin named by ADMIN_EMAIL exists (created when missing; an existing account is left as it is). */
export async function ensureAdmin(em: EntityManager, admin: { email: string; password: string }): Promise<boolean> {
  if (await em.count(User, { email: admin.email })) return false;
  em.create(User, { name: 'Administrator', email: admin.email, role: Role.ADMIN, passwordHash: await hashPassword(admin.password) });
  await em.flush();
  return true;
}
