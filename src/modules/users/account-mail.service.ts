import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { badInput, conflict, notFound } from '../../shared/errors';
import { consumeOrRefuse } from '../../shared/rate-limiter';
import { email, idOf, LIMITS, text } from '../../shared/validation';
import { AuditAction } from '../audit/audit.enums';
import type { AuditService } from '../audit/audit.service';
import { Contact } from '../businesses/contact.entity';
import type { MailSettings } from '../mail/mail-settings';
import { queueMail } from '../mail/outbound-mail';
import { invitationMail, passwordResetMail } from './account-mail';
import type { InviteContactInput, InviteUserInput, RequestPasswordResetInput, SetPasswordWithTokenInput } from './account-mail.inputs';
import { AccountToken, type TokenPurpose } from './auth/account-token.entity';
import { issueToken, usableToken } from './auth/account-tokens';
import { denied } from './auth/access';
import type { AccessDeps, RequestOrigin } from './auth/access-deps';
import type { Actor } from './auth/actor';
import { checkedPassword, hashPassword } from './auth/passwords';
import { principal } from './auth/revocations';
import { accountKind, endSessions, openSession, type Account } from './auth/sessions';
import { User } from './user.entity';
import { Role, type StaffRole } from './user.enums';
import { canAdminister } from './user.policy';
import { asUser, auditActorOf, targetOf } from './user.service';

/** What mailed account links need beyond a request. */
export interface AccountMailDeps {
  mail: MailSettings;
  invitationTtlSeconds: number;
  passwordResetTtlSeconds: number;
  /** Reset requests per address (see config `accountMail.resetRequestsPerHour`). */
  resetLimiter: RateLimiterAbstract;
}

/**
 * Accounts by mail: invitations (an admin invites staff, staff invite a business's contact) and
 * password resets, each a one-time token whose SHA-256 alone is stored, sent through the outbox in the
 * transaction that makes it. Using a token sets the password once; a reset also ends every session.
 */
export class AccountMailService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly access: AccessDeps,
    private readonly deps: AccountMailDeps,
    private readonly audit: AuditService,
    private readonly origin: RequestOrigin,
  ) {}

  async inviteUser(input: InviteUserInput): Promise<{ user: User; contact: null; expiresAt: Date }> {
    if (!canAdminister(this.actor)) throw denied(this.actor, 'Only admins invite staff members.');
    if (input.role === Role.CUSTOMER) throw badInput('Customers are contacts: use inviteContact.', 'role');
    const fields = { name: text(input.name, 'name', LIMITS.name), email: email(input.email, 'email'), role: input.role as StaffRole };
    return this.em.transactional(async (em) => {
      if (await em.count(User, { email: fields.email })) throw badInput('A user with this email already exists.', 'email');
      const user = em.create(User, fields);
      this.audit.record(em, AuditAction.CREATE_USER, { target: targetOf(user), details: { role: user.role } });
      const expiresAt = await this.invite(em, user, false);
      return { user, contact: null, expiresAt };
    });
  }

  async inviteContact(input: InviteContactInput): Promise<{ user: null; contact: Contact; expiresAt: Date }> {
    if (this.actor.kind !== 'user') throw denied(this.actor, 'Only staff members invite contacts.');
    const id = idOf(input.contactId, 'Contact', 'contactId');
    return this.em.transactional(async (em) => {
      const contact = await em.findOne(Contact, { id });
      if (!contact) throw notFound('Contact');
      if (contact.passwordHash) throw conflict('This contact can log in already; a forgotten password is reset with requestPasswordReset.');
      if (contact.deactivatedAt) throw conflict("This contact's login is deactivated; an admin reactivates it first.");
      const expiresAt = await this.invite(em, contact, true);
      return { user: null, contact, expiresAt };
    });
  }

  private async invite(em: EntityManager, account: Account, asCustomer: boolean): Promise<Date> {
    const ttl = this.deps.invitationTtlSeconds;
    const { id, token, expiresAt } = await issueToken(em, 'INVITATION', account, ttl);
    await queueMail(em, invitationMail(this.deps.mail, account, token, ttl, asCustomer), { dedupKey: `account-token:${id}` });
    this.audit.record(em, AuditAction.INVITE, { target: targetOf(account), details: { expiresAt: expiresAt.toISOString() } });
    return expiresAt;
  }

  /**
   * The same answer whether or not the address has an account, in about the same time: no password is
   * hashed on either path and the mail is sent later by the outbox, so a known address costs only a
   * token row and a delivery row more. Requests are limited per address before anything is looked up,
   * counted alike for every address.
   */
  async requestPasswordReset(input: RequestPasswordResetInput): Promise<{ accepted: true }> {
    const address = email(input.email, 'email');
    await consumeOrRefuse(this.deps.resetLimiter, createHash('sha256').update(address).digest('base64url'), 'password reset requests for this address');
    await this.em.transactional(async (em) => {
      const account: Account | null =
        (await em.findOne(User, { email: address, deactivatedAt: null })) ??
        (await em.findOne(Contact, { email: address, passwordHash: { $ne: null }, deactivatedAt: null }));
      if (!account) return;
      const ttl = this.deps.passwordResetTtlSeconds;
      const { id, token } = await issueToken(em, 'PASSWORD_RESET', account, ttl);
      await queueMail(em, passwordResetMail(this.deps.mail, account, token, ttl), { dedupKey: `account-token:${id}` });
    });
    return { accepted: true };
  }

  /** Sets the password with a reset token, ends every session of the account, and signs in anew. */
  resetPassword(input: SetPasswordWithTokenInput): Promise<{ token: string; user: User }> {
    return this.redeem('PASSWORD_RESET', input);
  }

  /** Sets the first password with an invitation token and signs in. */
  acceptInvitation(input: SetPasswordWithTokenInput): Promise<{ token: string; user: User }> {
    return this.redeem('INVITATION', input);
  }

  /**
   * Checks the token first (writing nothing when it is refused), then hashes the password outside any
   * transaction, then uses the token under a row lock: of two uses at once, the second finds it used.
   */
  private async redeem(purpose: TokenPurpose, input: SetPasswordWithTokenInput): Promise<{ token: string; user: User }> {
    const password = checkedPassword(input.password, 'password');
    await usableToken(this.em.fork(), purpose, input.token, new Date());
    const passwordHash = await hashPassword(password);
    const { session, account, ended } = await this.em.transactional(async (em) => {
      const now = new Date();
      const { row, account } = await usableToken(em, purpose, input.token, now, true);
      const kind = accountKind(account);
      account.passwordHash = passwordHash;
      // Every outstanding link of the account (another reset, an invitation) dies with this one.
      await em.nativeUpdate(AccountToken, { ...(kind === 'user' ? { user: account.id } : { contact: account.id }), usedAt: null }, { usedAt: now });
      row.usedAt = now;
      const sessions = await endSessions(em, kind, account.id);
      const opened = await openSession(em, this.access.tokens, account, this.origin.clientAddress);
      const action = purpose === 'INVITATION' ? AuditAction.ACCEPT_INVITATION : AuditAction.RESET_PASSWORD;
      this.audit.record(em, action, { by: auditActorOf(account), target: targetOf(account), details: { endedSessions: sessions.length } });
      return { session: opened, account, ended: sessions };
    });
    this.access.revocations.publish({ principals: ended.map(principal.session) });
    return { token: session, user: asUser(account) };
  }
}
