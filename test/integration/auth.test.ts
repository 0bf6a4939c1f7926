import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import pino from 'pino';
import { startApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { Contact } from '../../src/modules/businesses/contact.entity';
import { TokenService } from '../../src/modules/users/auth/tokens';
import { Role as StaffRole } from '../../src/modules/users/user.enums';
import { ApiScope, CreateApiKeyDocument, CreateContactDocument, CreateUserDocument, LoginDocument, MeDocument, Role, UsersDocument } from '../__generated__/graphql';
import * as make from '../factories';
import { startTestApp, TEST_JWT_SECRET, type GraphQLResponse, type TestApp } from '../setup/test-app';

let app: TestApp;
let admin: make.Staff;
let agent: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;

beforeAll(async () => {
  app = await startTestApp();
  admin = await make.staffUser(app, StaffRole.ADMIN, 'Ada Admin');
  agent = await make.staffUser(app, StaffRole.AGENT, 'Alice Agent');
  acme = await make.business(app, { name: 'Acme' });
});
afterAll(() => app.stop());

const ME = 'query { me { id name email role } }';

/** A raw request, to see the HTTP status as well as the body. */
async function post(query: string, authorization?: string) {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<Record<string, unknown>> };
}

function expectError(res: GraphQLResponse<unknown>, code: string) {
  expect(res.errors).toHaveLength(1);
  const [error] = res.errors!;
  expect(error.extensions?.code).toBe(code);
  expect(error.extensions ?? {}).not.toHaveProperty('stacktrace');
  return error;
}

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return app.em().getConnection().execute<T[]>(sql, params);
}

describe('login', () => {
  it('logs a staff member in; the token works for me', async () => {
    const res = await app.gql(LoginDocument, { input: { email: agent.user.email, password: make.PASSWORD } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.login.user).toEqual({ id: agent.user.globalId, name: 'Alice Agent', email: agent.user.email, role: 'AGENT' });
    const token = res.data!.login.token;
    expect(token.split('.')).toHaveLength(3);

    const me = await app.gql(MeDocument, {}, token);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toEqual({ id: agent.user.globalId, name: 'Alice Agent', email: agent.user.email, role: 'AGENT' });
  });

  it('ignores the case and surrounding spaces of the email', async () => {
    const res = await app.gql(LoginDocument, { input: { email: `  ${agent.user.email.toUpperCase()} `, password: make.PASSWORD } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.login.user.id).toBe(agent.user.globalId);
  });

  it('logs a contact with a password in as CUSTOMER with the contact id', async () => {
    const { contact } = await make.customer(app, acme);
    const res = await app.gql(LoginDocument, { input: { email: contact.email, password: make.PASSWORD } });
    expect(res.errors).toBeUndefined();
    expect(res.data!.login.user).toEqual({ id: contact.globalId, name: contact.name, email: contact.email, role: 'CUSTOMER' });

    const me = await app.gql(MeDocument, {}, res.data!.login.token);
    expect(me.errors).toBeUndefined();
    expect(me.data!.me).toEqual({ id: contact.globalId, name: contact.name, email: contact.email, role: 'CUSTOMER' });
  });

  it('answers a wrong password and an unknown email alike: UNAUTHENTICATED with the same message', async () => {
    const wrong = await app.gql(LoginDocument, { input: { email: agent.user.email, password: 'not-the-password' } });
    const unknown = await app.gql(LoginDocument, { input: { email: 'nobody@nowhere.example', password: make.PASSWORD } });
    const wrongError = expectError(wrong, 'UNAUTHENTICATED');
    const unknownError = expectError(unknown, 'UNAUTHENTICATED');
    expect(wrong.data).toBeNull();
    expect(unknown.data).toBeNull();
    expect(wrongError.message).toBe(unknownError.message);
    expect(wrongError.message).toBe('Wrong email or password.');
  });

  it('refuses a contact without a password, with the same answer as a wrong password', async () => {
    const em = app.em();
    const contact = em.create(Contact, { business: acme.id, name: 'No Password', email: 'no-password@acme.example' });
    await em.flush();
    for (const password of ['', make.PASSWORD, 'anything-at-all']) {
      const res = await app.gql(LoginDocument, { input: { email: contact.email, password } });
      expect(expectError(res, 'UNAUTHENTICATED').message).toBe('Wrong email or password.');
      expect(res.data).toBeNull();
    }
  });

  it('writes nothing on a failed login', async () => {
    const before = await rows<{ n: number }>('select (select count(*) from app_user) + (select count(*) from contact) + (select count(*) from api_key) as n');
    await app.gql(LoginDocument, { input: { email: agent.user.email, password: 'nope-nope-nope' } });
    expect(await rows('select (select count(*) from app_user) + (select count(*) from contact) + (select count(*) from api_key) as n')).toEqual(before);
  });
});

describe('session tokens', () => {
  it('a valid token answers 200 (the control for the refusals below)', async () => {
    const res = await post(ME, `Bearer ${agent.token}`);
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ me: { id: agent.user.globalId, name: 'Alice Agent', email: agent.user.email, role: 'AGENT' } });
  });

  it('an expired token → UNAUTHENTICATED with HTTP 401', async () => {
    const expired = await make.session(app, agent.user, new TokenService(TEST_JWT_SECRET, -60));
    const res = await post(ME, `Bearer ${expired}`);
    expect(res.status).toBe(401);
    expectError(res.body, 'UNAUTHENTICATED');
    expect(res.body.data ?? null).toBeNull();
  });

  it('a token whose exp was forged into the past → 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    // A live session's id, so that only the expiry is wrong.
    const { sid } = JSON.parse(Buffer.from(agent.token.split('.')[1], 'base64url').toString()) as { sid: string };
    const forged = await new SignJWT({ kind: 'user', sid })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(agent.user.id)
      .setIssuer('ticketgraph')
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const res = await post(ME, `Bearer ${forged}`);
    expect(res.status).toBe(401);
    expectError(res.body, 'UNAUTHENTICATED');
  });

  it('a token signed with another secret → 401', async () => {
    const foreign = await make.session(app, admin.user, new TokenService('another-secret-another-secret-0123456789', 3600));
    const res = await post(ME, `Bearer ${foreign}`);
    expect(res.status).toBe(401);
    expectError(res.body, 'UNAUTHENTICATED');
  });

  it('a token with its payload changed (signature no longer matches) → 401', async () => {
    const [header, , signature] = agent.token.split('.');
    const payload = Buffer.from(JSON.stringify({ kind: 'user', sub: admin.user.id, iss: 'ticketgraph', exp: 4102444800 })).toString('base64url');
    const res = await post(ME, `Bearer ${header}.${payload}.${signature}`);
    expect(res.status).toBe(401);
    expectError(res.body, 'UNAUTHENTICATED');
  });

  it('an Authorization header that is not "Bearer <token>", or garbage → 401, never downgraded to anonymous', async () => {
    for (const authorization of [`Token ${agent.token}`, 'Bearer not-a-token', 'Bearer tgk_not-a-real-key']) {
      const res = await post(ME, authorization);
      expect(res.status).toBe(401);
      expectError(res.body, 'UNAUTHENTICATED');
    }
  });

  it('no Authorization header is anonymous: me is null', async () => {
    const res = await post(ME);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: { me: null }, extensions: { cost: { requested: 1, limit: 25_000 } } });
  });
});

describe('createApiKey', () => {
  it('returns the key once; only its SHA-256 digest is stored; the key authenticates as a bearer token', async () => {
    const res = await app.gql(CreateApiKeyDocument, { input: { name: 'Billing sync', scopes: [ApiScope.TICKETS_READ, ApiScope.TICKETS_READ] } }, admin.token);
    expect(res.errors).toBeUndefined();
    const { key, apiKey } = res.data!.createApiKey;
    expect(key).toMatch(/^tgk_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({ name: 'Billing sync', scopes: ['TICKETS_READ'], prefix: key.slice(0, 12) });

    const stored = await rows<Record<string, unknown>>('select * from api_key where name = ?', ['Billing sync']);
    expect(stored).toHaveLength(1);
    expect(stored[0].key_hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(JSON.stringify(stored[0])).not.toContain(key);
    expect(JSON.stringify(stored[0])).not.toContain(key.slice(12));

    // The key authenticates, with its own scopes: TICKETS_READ may list users, REPORTS_READ alone may not.
    const withKey = await app.gql(UsersDocument, {}, key);
    expect(withKey.errors).toBeUndefined();
    expect(withKey.data!.users.map((u) => u.id)).toEqual(expect.arrayContaining([admin.user.globalId, agent.user.globalId]));
    const other = await app.gql(CreateApiKeyDocument, { input: { name: 'Reports only', scopes: [ApiScope.REPORTS_READ] } }, admin.token);
    expect(other.errors).toBeUndefined();
    expectError(await app.gql(UsersDocument, {}, other.data!.createApiKey.key), 'FORBIDDEN');
    // An API key is not an account.
    expect(await app.gql(MeDocument, {}, key)).toEqual({ data: { me: null }, extensions: { cost: expect.any(Object) } });
  });

  it('is for admins only: an agent gets FORBIDDEN and no key is stored', async () => {
    const before = await rows<{ n: string }>('select count(*) as n from api_key');
    const res = await app.gql(CreateApiKeyDocument, { input: { name: 'Sneaky', scopes: [ApiScope.TICKETS_WRITE] } }, agent.token);
    expectError(res, 'FORBIDDEN');
    expect(res.data).toBeNull();
    expect(await rows('select count(*) as n from api_key')).toEqual(before);
  });

  it('refuses an empty scope list with BAD_USER_INPUT on scopes', async () => {
    const res = await app.gql(CreateApiKeyDocument, { input: { name: 'Nothing', scopes: [] } }, admin.token);
    expect(expectError(res, 'BAD_USER_INPUT').extensions?.field).toBe('scopes');
  });
});

describe('passwords are stored hashed', () => {
  it('createUser and createContact store an argon2id hash, never the password', async () => {
    const user = await app.gql(
      CreateUserDocument,
      { input: { name: 'New Agent', email: 'new.agent@staff.example', password: 'user-password-1', role: Role.AGENT } },
      admin.token,
    );
    expect(user.errors).toBeUndefined();
    const contact = await app.gql(
      CreateContactDocument,
      { input: { businessId: acme.globalId, name: 'New Contact', email: 'new.contact@acme.example', password: 'contact-password-1' } },
      agent.token,
    );
    expect(contact.errors).toBeUndefined();

    const [userRow] = await rows<{ password_hash: string }>('select password_hash from app_user where email = ?', ['new.agent@staff.example']);
    const [contactRow] = await rows<{ password_hash: string }>('select password_hash from contact where email = ?', ['new.contact@acme.example']);
    expect(userRow.password_hash).toMatch(/^\$argon2id\$/);
    expect(userRow.password_hash).not.toContain('user-password-1');
    expect(contactRow.password_hash).toMatch(/^\$argon2id\$/);
    expect(contactRow.password_hash).not.toContain('contact-password-1');

    // And both can log in with what was given.
    const userLogin = await app.gql(LoginDocument, { input: { email: 'new.agent@staff.example', password: 'user-password-1' } });
    expect(userLogin.data!.login.user.role).toBe('AGENT');
    const contactLogin = await app.gql(LoginDocument, { input: { email: 'new.contact@acme.example', password: 'contact-password-1' } });
    expect(contactLogin.data!.login.user.role).toBe('CUSTOMER');
  });
});

describe('ADMIN_EMAIL / ADMIN_PASSWORD bootstrap', () => {
  it('creates the admin at start, who can log in; a second start neither duplicates nor overwrites it', async () => {
    const boss = await startTestApp({ ADMIN_EMAIL: 'boss@x.example', ADMIN_PASSWORD: 'long-password-1' });
    try {
      const login = await boss.gql(LoginDocument, { input: { email: 'boss@x.example', password: 'long-password-1' } });
      expect(login.errors).toBeUndefined();
      expect(login.data!.login.user).toMatchObject({ email: 'boss@x.example', role: 'ADMIN' });
      const me = await boss.gql(MeDocument, {}, login.data!.login.token);
      expect(me.data!.me).toMatchObject({ email: 'boss@x.example', role: 'ADMIN' });

      const read = () =>
        boss.em().getConnection().execute<{ id: string; password_hash: string; role: string }[]>(
          'select id, password_hash, role from app_user where lower(email) = ?',
          ['boss@x.example'],
        );
      const first = await read();
      expect(first).toHaveLength(1);
      expect(first[0].role).toBe('ADMIN');
      expect(first[0].password_hash).toMatch(/^\$argon2id\$/);
      expect(first[0].password_hash).not.toContain('long-password-1');

      // A second instance starting on the same database, with another password and the email in another case.
      const second = await startApp(
        loadConfig({
          PORT: '0',
          DATABASE_URL: boss.app.database.orm.config.get('clientUrl')!,
          JWT_SECRET: TEST_JWT_SECRET,
          DATA_DIR: path.join(os.tmpdir(), `tg-auth-second-${process.pid}`),
          ADMIN_EMAIL: 'BOSS@X.example',
          ADMIN_PASSWORD: 'other-password-2',
        }),
        pino({ level: 'silent' }),
      );
      await second.stop();

      expect(await read()).toEqual(first);
      const oldPassword = await boss.gql(LoginDocument, { input: { email: 'boss@x.example', password: 'long-password-1' } });
      expect(oldPassword.errors).toBeUndefined();
      const newPassword = await boss.gql(LoginDocument, { input: { email: 'boss@x.example', password: 'other-password-2' } });
      expectError(newPassword, 'UNAUTHENTICATED');
    } finally {
      await boss.stop();
    }
  });

  it('creates no admin when the variables are unset', async () => {
    expect(await rows('select email from app_user where role = ? and email not like ?', ['ADMIN', '%@staff.example'])).toEqual([]);
  });
});
