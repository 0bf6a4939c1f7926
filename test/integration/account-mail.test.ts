import { createHash, randomBytes } from 'node:crypto';
import type { GraphQLFormattedError } from 'graphql';
import {
  AccountAcceptInvitationDocument,
  AccountInviteContactDocument,
  AccountInviteUserDocument,
  AccountRequestResetDocument,
  AccountResetPasswordDocument,
  CreateContactDocument,
  LoginDocument,
  MeDocument,
  OnNotificationAddedDocument,
  Role as GqlRole,
} from '../__generated__/graphql';
import { Contact } from '../../src/modules/businesses/contact.entity';
import { Delivery, DeliveryStatus } from '../../src/modules/deliveries/delivery.entity';
import { AccountToken } from '../../src/modules/users/auth/account-token.entity';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { User } from '../../src/modules/users/user.entity';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';
import { writesNothing } from '../setup/writes-nothing';
import { subscribe, wsClient } from '../setup/ws-client';

const PUBLIC_URL = 'https://desk.example.test';
const NEW_PASSWORD = 'a-brand-new-password';
/** What an invitation or a reset may write; a refused one writes none of it. */
const TABLES = ['app_user', 'contact', 'account_token', 'delivery', 'auth_session', 'audit_entry'];

let smtp: SmtpSink;
let app: TestApp;
let admin: make.Staff;
let agent: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let carol: make.Customer;

beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ SMTP_URL: smtp.url, MAIL_FROM: 'Help Desk <help@ticketgraph.test>', PUBLIC_URL, PASSWORD_RESET_REQUESTS_PER_HOUR: '3' });
  admin = await make.staffUser(app, Role.ADMIN);
  agent = await make.staffUser(app);
  acme = await make.business(app);
  carol = await make.customer(app, acme);
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
});

const codeOf = (result: { errors?: readonly GraphQLFormattedError[] }) => result.errors?.[0]?.extensions?.code;
const login = (email: string, password: string) => app.gql(LoginDocument, { input: { email, password } });

/** Sends what is due and answers the one new mail to `address`, with the token of its link. */
async function linkMailTo(address: string, path: string): Promise<{ mail: ReceivedMail; token: string }> {
  const before = smtp.received.length;
  await app.app.deliveries.runDue();
  const mails = smtp.received.slice(before).filter((mail) => mail.to.includes(address));
  expect(mails).toHaveLength(1);
  const match = new RegExp(`${PUBLIC_URL}/${path}\\?token=([A-Za-z0-9_-]+)`).exec(mails[0].parsed.text ?? '');
  expect(match).not.toBeNull();
  expect(mails[0].parsed.html).toContain(`href="${PUBLIC_URL}/${path}?token=${match![1]}"`);
  return { mail: mails[0], token: match![1] };
}

async function expectTokenRefused(result: { errors?: readonly GraphQLFormattedError[] }, reason: string) {
  expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'token', reason });
}

describe('inviting staff', () => {
  it('creates the member without a password, mails a one-time link, and the link sets the password once', async () => {
    const email = `new.${Date.now()}@staff.example`;
    const invited = await app.gql(AccountInviteUserDocument, { input: { name: 'New Agent', email: email.toUpperCase(), role: GqlRole.AGENT } }, admin.token);
    expect(invited.errors).toBeUndefined();
    expect(invited.data!.inviteUser).toMatchObject({ user: { email, role: 'AGENT' }, contact: null });
    const user = (await app.em().findOne(User, { email }))!;
    expect(user.passwordHash).toBeNull();
    expect(codeOf(await login(email, 'anything-at-all'))).toBe('UNAUTHENTICATED');

    const { mail, token } = await linkMailTo(email, 'accept-invitation');
    expect(mail.parsed.subject).toBe('Your Ticketgraph invitation');
    // Only the token's digest is kept; the sent mail's body leaves the outbox.
    const stored = await app.em().find(AccountToken, { user: user.id });
    expect(stored.map((row) => row.tokenHash)).toEqual([createHash('sha256').update(token).digest('hex')]);
    const delivery = (await app.em().findOne(Delivery, { target: email }))!;
    expect(delivery.status).toBe(DeliveryStatus.DELIVERED);
    expect(JSON.stringify(delivery.payload)).not.toContain(token);

    const accepted = await app.gql(AccountAcceptInvitationDocument, { input: { token, password: NEW_PASSWORD } });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data!.acceptInvitation.user).toMatchObject({ email, role: 'AGENT' });
    expect((await app.gql(MeDocument, {}, accepted.data!.acceptInvitation.token)).data!.me).toMatchObject({ email });
    expect((await login(email, NEW_PASSWORD)).errors).toBeUndefined();
    await expectTokenRefused(await writesNothing(app, TABLES, () => app.gql(AccountAcceptInvitationDocument, { input: { token, password: 'another-password' } })), 'TOKEN_USED');
  });

  it('lets a member who lost the invitation set a first password with a reset link', async () => {
    const email = `lost.${Date.now()}@staff.example`;
    await app.gql(AccountInviteUserDocument, { input: { name: 'Lost Mail', email, role: GqlRole.ADMIN } }, admin.token);
    await linkMailTo(email, 'accept-invitation');
    await app.gql(AccountRequestResetDocument, { input: { email } });
    const { token } = await linkMailTo(email, 'reset-password');
    expect((await app.gql(AccountResetPasswordDocument, { input: { token, password: NEW_PASSWORD } })).data!.resetPassword.user).toMatchObject({ email, role: 'ADMIN' });
    expect((await login(email, NEW_PASSWORD)).errors).toBeUndefined();
  });

  it('is for admins only, and refuses bad input, writing nothing', async () => {
    const key = await make.apiKey(app, admin.user, Object.values(ApiScope));
    const input = { name: 'X', email: `x.${Date.now()}@staff.example`, role: GqlRole.AGENT };
    for (const [token, code] of [
      [agent.token, 'FORBIDDEN'],
      [carol.token, 'FORBIDDEN'],
      [key, 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      expect(codeOf(await writesNothing(app, TABLES, () => app.gql(AccountInviteUserDocument, { input }, token)))).toBe(code);
    }
    for (const [bad, field] of [
      [{ ...input, role: GqlRole.CUSTOMER }, 'role'],
      [{ ...input, email: agent.user.email }, 'email'],
      [{ ...input, email: 'not an address' }, 'email'],
      [{ ...input, name: '' }, 'name'],
    ] as const) {
      const result = await writesNothing(app, TABLES, () => app.gql(AccountInviteUserDocument, { input: bad }, admin.token));
      expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});

describe('inviting a contact', () => {
  it('lets staff mail a contact without a login a link; a newer invitation replaces the older; the contact then logs in as a customer', async () => {
    const email = `dana.${Date.now()}@customer.example`;
    const created = await app.gql(CreateContactDocument, { input: { businessId: acme.globalId, name: 'Dana', email } }, agent.token);
    const contactId = created.data!.createContact.id;
    expect((await app.gql(AccountInviteContactDocument, { input: { contactId } }, agent.token)).data!.inviteContact).toMatchObject({ user: null, contact: { id: contactId, email } });
    const first = await linkMailTo(email, 'accept-invitation');
    expect(first.mail.parsed.text).toContain('follow your support tickets online');
    await app.gql(AccountInviteContactDocument, { input: { contactId } }, agent.token);
    const second = await linkMailTo(email, 'accept-invitation');

    await expectTokenRefused(await app.gql(AccountAcceptInvitationDocument, { input: { token: first.token, password: NEW_PASSWORD } }), 'TOKEN_USED');
    // A reset link is not an invitation, nor the other way round.
    await expectTokenRefused(await app.gql(AccountResetPasswordDocument, { input: { token: second.token, password: NEW_PASSWORD } }), 'TOKEN_INVALID');
    const accepted = await app.gql(AccountAcceptInvitationDocument, { input: { token: second.token, password: NEW_PASSWORD } });
    expect(accepted.data!.acceptInvitation.user).toMatchObject({ id: contactId, role: 'CUSTOMER', email });
    expect((await login(email, NEW_PASSWORD)).data!.login.user.role).toBe('CUSTOMER');

    // It can log in now: a second invitation is a CONFLICT.
    expect(codeOf(await writesNothing(app, TABLES, () => app.gql(AccountInviteContactDocument, { input: { contactId } }, agent.token)))).toBe('CONFLICT');
  });

  it('is for staff only; an unknown contact is NOT_FOUND; nothing is written', async () => {
    const em = app.em();
    const contact = em.create(Contact, { business: acme.id, name: 'Eve', email: `eve.${Date.now()}@customer.example` });
    await em.flush();
    const key = await make.apiKey(app, admin.user, [ApiScope.TICKETS_WRITE, ApiScope.TICKETS_READ]);
    for (const [token, code] of [
      [carol.token, 'FORBIDDEN'],
      [key, 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      expect(codeOf(await writesNothing(app, TABLES, () => app.gql(AccountInviteContactDocument, { input: { contactId: contact.globalId } }, token)))).toBe(code);
    }
    const unknown = Buffer.from(`Contact:${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}`).toString('base64url');
    expect(codeOf(await writesNothing(app, TABLES, () => app.gql(AccountInviteContactDocument, { input: { contactId: unknown } }, agent.token)))).toBe('NOT_FOUND');
    expect(codeOf(await writesNothing(app, TABLES, () => app.gql(AccountInviteContactDocument, { input: { contactId: 'nonsense' } }, agent.token)))).toBe('BAD_USER_INPUT');
  });
});

describe('password reset', () => {
  it('answers the same for a known and an unknown address, mailing only the known one', async () => {
    const staff = await make.staffUser(app);
    const known = await app.countStatements(() => app.gql(AccountRequestResetDocument, { input: { email: staff.user.email } }));
    const unknown = await app.countStatements(() => app.gql(AccountRequestResetDocument, { input: { email: `nobody.${Date.now()}@staff.example` } }));
    expect(known.result).toEqual(unknown.result);
    expect(known.result.data).toEqual({ requestPasswordReset: { accepted: true } });
    // No password is hashed on either path. A known staff address costs three writes more (retiring older
    // links, the token, the mail) and one read fewer (no contact is looked for).
    expect(known.statements).toBe(unknown.statements + 2);
    await linkMailTo(staff.user.email, 'reset-password');
    expect(await app.em().count(Delivery, { target: { $like: 'nobody.%' } })).toBe(0);
  });

  it('sets the password once, ends every session (sockets too), and refuses used, expired, forged and replaced tokens with stable reasons', async () => {
    const staff = await make.staffUser(app);
    const client = wsClient(app.url, staff.token);
    try {
      const socket = subscribe(client, OnNotificationAddedDocument);
      await app.gql(AccountRequestResetDocument, { input: { email: staff.user.email } });
      const older = await linkMailTo(staff.user.email, 'reset-password');
      await app.gql(AccountRequestResetDocument, { input: { email: staff.user.email } });
      const { mail, token } = await linkMailTo(staff.user.email, 'reset-password');
      expect(mail.parsed.subject).toBe('Reset your Ticketgraph password');
      await expectTokenRefused(await app.gql(AccountResetPasswordDocument, { input: { token: older.token, password: NEW_PASSWORD } }), 'TOKEN_USED');

      // A password too short is refused before the token is spent.
      const short = await writesNothing(app, TABLES, () => app.gql(AccountResetPasswordDocument, { input: { token, password: 'short' } }));
      expect(short.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'password' });

      const reset = await app.gql(AccountResetPasswordDocument, { input: { token, password: NEW_PASSWORD } });
      expect(reset.errors).toBeUndefined();
      expect(codeOf(await app.gql(MeDocument, {}, staff.token))).toBe('UNAUTHENTICATED');
      expect((await app.gql(MeDocument, {}, reset.data!.resetPassword.token)).data!.me).toMatchObject({ email: staff.user.email });
      await new Promise<void>((resolve) => {
        const check = () => (socket.errors.length > 0 ? resolve() : setTimeout(check, 20));
        check();
      });
      expect((socket.errors[0] as { code: number }).code).toBe(4403);
      expect(codeOf(await login(staff.user.email, make.PASSWORD))).toBe('UNAUTHENTICATED');
      expect((await login(staff.user.email, NEW_PASSWORD)).errors).toBeUndefined();

      await expectTokenRefused(await writesNothing(app, TABLES, () => app.gql(AccountResetPasswordDocument, { input: { token, password: 'yet-another-one' } })), 'TOKEN_USED');
      const forged = randomBytes(32).toString('base64url');
      for (const bad of [forged, 'short', `${token}x`, token.toUpperCase()]) {
        await expectTokenRefused(await writesNothing(app, TABLES, () => app.gql(AccountResetPasswordDocument, { input: { token: bad, password: NEW_PASSWORD } })), 'TOKEN_INVALID');
      }
    } finally {
      await client.dispose();
    }
  });

  it('refuses an expired link, sends nothing to a deactivated account, and limits requests per address (known or not)', async () => {
    const staff = await make.staffUser(app);
    await app.gql(AccountRequestResetDocument, { input: { email: staff.user.email } });
    const { token } = await linkMailTo(staff.user.email, 'reset-password');
    await app.em().nativeUpdate(AccountToken, { user: staff.user.id, usedAt: null }, { expiresAt: new Date(Date.now() - 1000) });
    await expectTokenRefused(await writesNothing(app, TABLES, () => app.gql(AccountResetPasswordDocument, { input: { token, password: NEW_PASSWORD } })), 'TOKEN_EXPIRED');

    const gone = await make.staffUser(app);
    await app.em().nativeUpdate(User, { id: gone.user.id }, { deactivatedAt: new Date() });
    expect((await app.gql(AccountRequestResetDocument, { input: { email: gone.user.email } })).data!.requestPasswordReset.accepted).toBe(true);
    expect(await app.em().count(AccountToken, { user: gone.user.id })).toBe(0);

    // PASSWORD_RESET_REQUESTS_PER_HOUR is 3 here; the staff address above has used one.
    for (const address of [staff.user.email, `nobody.limited.${Date.now()}@staff.example`]) {
      const used = address === staff.user.email ? 1 : 0;
      for (let i = used; i < 3; i += 1) expect(codeOf(await app.gql(AccountRequestResetDocument, { input: { email: address } }))).toBeUndefined();
      const limited = await writesNothing(app, TABLES, () => app.gql(AccountRequestResetDocument, { input: { email: address.toUpperCase() } }));
      expect(limited.errors![0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    }
    expect(codeOf(await app.gql(AccountRequestResetDocument, { input: { email: 'not an address' } }))).toBe('BAD_USER_INPUT');
  });
});
