import { createHash } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import {
  ApiKeysDocument,
  ApiScope,
  AuditAction,
  AuditLogDocument,
  ChangePasswordDocument,
  ContactLoginDocument,
  CreateApiKeyDocument,
  CreateUserDocument,
  DeactivateUserDocument,
  LoginDocument,
  LogoutDocument,
  MeDocument,
  OnTicketStatusChangedDocument,
  ReactivateUserDocument,
  RevokeApiKeyDocument,
  Role,
  RotateApiKeyDocument,
  StaffDeactivationDocument,
  UpdateUserDocument,
  UsersDocument,
} from '../__generated__/graphql';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { Role as StaffRole } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, type GraphQLResponse, type TestApp } from '../setup/test-app';
import { subscribe } from '../setup/ws-client';
import { writesNothing } from '../setup/writes-nothing';

let app: TestApp;
let admin: make.Staff;
let agent: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let customer: make.Customer;
let readKey: string;

beforeAll(async () => {
  app = await startTestApp();
  admin = await make.staffUser(app, StaffRole.ADMIN, 'Ada Admin');
  agent = await make.staffUser(app, StaffRole.AGENT, 'Alice Agent');
  acme = await make.business(app, { name: 'Acme' });
  customer = await make.customer(app, acme);
  readKey = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ]);
});
afterAll(() => app.stop());

const ACCESS_TABLES = ['app_user', 'contact', 'api_key', 'auth_session', 'audit_entry'] as const;

function errorCode(res: GraphQLResponse<unknown>): unknown {
  expect(res.errors).toHaveLength(1);
  return res.errors![0].extensions?.code;
}

function ok<T>(res: GraphQLResponse<T>): T {
  expect(res.errors).toBeUndefined();
  return res.data!;
}

async function keyId(target: TestApp, key: string): Promise<string> {
  const [row] = await target.em().getConnection().execute<{ id: string }[]>('select id from api_key where key_hash = ? or previous_key_hash = ?', [
    sha256(key),
    sha256(key),
  ]);
  return Buffer.from(`ApiKey:${row.id}`).toString('base64url');
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

async function auditRows(action: string, targetId?: string) {
  return app
    .em()
    .getConnection()
    .execute<Record<string, unknown>[]>(
      `select * from audit_entry where action = ? ${targetId ? 'and target_id = ?' : ''} order by created_at desc, id desc`,
      targetId ? [action, targetId] : [action],
    );
}

/** A real graphql-ws connection with a live subscription; `closed` resolves with the close code and when it came. */
async function connect(target: TestApp, token: string): Promise<{ client: Client; closed: Promise<{ code: number; at: number }> }> {
  let resolveClosed!: (value: { code: number; at: number }) => void;
  const closed = new Promise<{ code: number; at: number }>((resolve) => (resolveClosed = resolve));
  let resolveConnected!: () => void;
  const connected = new Promise<void>((resolve) => (resolveConnected = resolve));
  const client = createClient({
    url: target.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    // The close is what these tests wait for (see `closed`), not an error to print.
    onNonLazyError: () => undefined,
    on: {
      connected: () => resolveConnected(),
      closed: (event) => resolveClosed({ code: (event as { code: number }).code, at: Date.now() }),
    },
  });
  await Promise.race([connected, closed.then(({ code }) => Promise.reject(new Error(`closed with ${code} before connecting`)))]);
  subscribe(client, OnTicketStatusChangedDocument, {});
  return { client, closed };
}

/**
 * Runs `revoke` and expects the connection to close with 4403. Nothing else closes it before its
 * credential runs out (days away), so a close at all shows the revocation reached it; the wait is
 * generous because a loaded machine delays it, not the app.
 */
async function expectClosedOnRevocation(connection: Awaited<ReturnType<typeof connect>>, revoke: () => Promise<unknown>) {
  try {
    await revoke();
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([connection.closed, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 30_000)))]);
    clearTimeout(timer);
    expect(closed).not.toBeNull();
    expect(closed!.code).toBe(4403);
  } finally {
    await connection.client.dispose();
  }
}

describe('who may administer access', () => {
  it('refuses agents, customers and API keys (FORBIDDEN) and anonymous callers (UNAUTHENTICATED), writing nothing', async () => {
    const target = await make.staffUser(app, StaffRole.AGENT);
    const key = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ]);
    const apiKeyId = await keyId(app, key);
    const userId = target.user.globalId;
    const operations: [string, (token?: string) => Promise<GraphQLResponse<unknown>>][] = [
      ['apiKeys', (t) => app.gql(ApiKeysDocument, {}, t)],
      ['revokeApiKey', (t) => app.gql(RevokeApiKeyDocument, { input: { apiKeyId } }, t)],
      ['rotateApiKey', (t) => app.gql(RotateApiKeyDocument, { input: { apiKeyId, graceSeconds: 0 } }, t)],
      ['updateUser', (t) => app.gql(UpdateUserDocument, { input: { userId, role: Role.ADMIN } }, t)],
      ['deactivateUser', (t) => app.gql(DeactivateUserDocument, { input: { userId } }, t)],
      ['deactivateUser (contact)', (t) => app.gql(DeactivateUserDocument, { input: { contactId: customer.contact.globalId } }, t)],
      ['reactivateUser', (t) => app.gql(ReactivateUserDocument, { input: { userId } }, t)],
      ['auditLog', (t) => app.gql(AuditLogDocument, {}, t)],
    ];
    const callers: [string, string | undefined, string][] = [
      ['agent', agent.token, 'FORBIDDEN'],
      ['customer', customer.token, 'FORBIDDEN'],
      ['API key', readKey, 'FORBIDDEN'],
      ['anonymous', undefined, 'UNAUTHENTICATED'],
    ];
    // The key's last use is written at most once a minute: use it now, so that the check below sees no write.
    await app.gql(MeDocument, {}, readKey);
    await writesNothing(app, ACCESS_TABLES, async () => {
      for (const [name, run] of operations) {
        for (const [who, token, code] of callers) {
          const res = await run(token);
          expect({ name, who, code: errorCode(res) }).toEqual({ name, who, code });
        }
      }
    });
    // The control: the same target works for an admin.
    expect(ok(await app.gql(ApiKeysDocument, {}, admin.token)).apiKeys.totalCount).toBeGreaterThan(0);
  });
});

describe('apiKeys', () => {
  it('lists keys newest first with prefix, scopes, creator and use, never the secret; pages by cursor', async () => {
    const created = ok(await app.gql(CreateApiKeyDocument, { input: { name: 'Listed', scopes: [ApiScope.REPORTS_READ] } }, admin.token)).createApiKey;
    await app.gql(MeDocument, {}, created.key);
    const first = ok(await app.gql(ApiKeysDocument, { first: 1 }, admin.token)).apiKeys;
    expect(first.nodes).toHaveLength(1);
    expect(first.nodes[0]).toMatchObject({
      id: created.apiKey.id,
      name: 'Listed',
      prefix: created.key.slice(0, 12),
      scopes: ['REPORTS_READ'],
      revokedAt: null,
      previousSecretExpiresAt: null,
      createdBy: { id: admin.user.globalId, name: 'Ada Admin' },
    });
    expect(first.nodes[0].lastUsedAt).not.toBeNull();
    expect(JSON.stringify(first)).not.toContain(created.key.slice(12));
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = ok(await app.gql(ApiKeysDocument, { first: 1, after: first.pageInfo.endCursor }, admin.token)).apiKeys;
    expect(second.nodes[0].id).not.toBe(created.apiKey.id);
    expect((await auditRows('CREATE_API_KEY'))[0]).toMatchObject({ actor_id: admin.user.id, target_name: 'Listed', actor_type: 'USER' });
  });
});

describe('revokeApiKey', () => {
  it('refuses the key on the next request and closes its open socket with 4403 within a second; audited', async () => {
    const key = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ]);
    const apiKeyId = await keyId(app, key);
    expect(ok(await app.gql(UsersDocument, {}, key)).users.length).toBeGreaterThan(0);
    const connection = await connect(app, key);
    await expectClosedOnRevocation(connection, async () => {
      const revoked = ok(await app.gql(RevokeApiKeyDocument, { input: { apiKeyId } }, admin.token)).revokeApiKey.apiKey;
      expect(revoked.revokedAt).not.toBeNull();
    });
    expect(errorCode(await app.gql(UsersDocument, {}, key))).toBe('UNAUTHENTICATED');
    const [entry] = await auditRows('REVOKE_API_KEY');
    expect(entry).toMatchObject({ actor_id: admin.user.id, target_type: 'ApiKey', client_address: expect.stringMatching(/127\.0\.0\.1/) });
    // A new connection with it is refused too.
    await expect(connect(app, key)).rejects.toThrow(/4403/);
  });
});

describe('rotateApiKey', () => {
  it('returns a new secret; the old one keeps working for the grace period, then is refused and its socket closes', async () => {
    const key = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ]);
    const apiKeyId = await keyId(app, key);
    const connection = await connect(app, key);
    // Long enough that the two requests below come within it on a loaded machine, too.
    const rotated = ok(await app.gql(RotateApiKeyDocument, { input: { apiKeyId, graceSeconds: 10 } }, admin.token)).rotateApiKey;
    const rotatedAt = Date.now();
    expect(rotated.key).not.toBe(key);
    expect(rotated.apiKey).toMatchObject({ id: apiKeyId, prefix: rotated.key.slice(0, 12) });
    expect(Date.parse(rotated.apiKey.previousSecretExpiresAt!)).toBeGreaterThan(rotatedAt);
    expect(ok(await app.gql(UsersDocument, {}, rotated.key)).users.length).toBeGreaterThan(0);
    expect(ok(await app.gql(UsersDocument, {}, key)).users.length).toBeGreaterThan(0);
    const closed = await connection.closed;
    expect(closed.code).toBe(4403);
    // Not before the grace ends (a timer never fires early, by more than its millisecond rounding);
    // that it closes at all, not days later at the token's end, is shown by the wait ending.
    expect(closed.at).toBeGreaterThanOrEqual(Date.parse(rotated.apiKey.previousSecretExpiresAt!) - 2);
    expect(errorCode(await app.gql(UsersDocument, {}, key))).toBe('UNAUTHENTICATED');
    expect(ok(await app.gql(UsersDocument, {}, rotated.key)).users.length).toBeGreaterThan(0);
    await connection.client.dispose();
    expect((await auditRows('ROTATE_API_KEY'))[0]).toMatchObject({ details: { graceSeconds: 10 } });
  });

  it('with graceSeconds 0 refuses the old secret at once and closes its socket within a second', async () => {
    const key = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ]);
    const apiKeyId = await keyId(app, key);
    let newKey = '';
    await expectClosedOnRevocation(await connect(app, key), async () => {
      newKey = ok(await app.gql(RotateApiKeyDocument, { input: { apiKeyId, graceSeconds: 0 } }, admin.token)).rotateApiKey.key;
    });
    expect(errorCode(await app.gql(UsersDocument, {}, key))).toBe('UNAUTHENTICATED');
    expect(ok(await app.gql(UsersDocument, {}, newKey)).users.length).toBeGreaterThan(0);
  });

  it('a second rotation ends the secret still in its grace period at once', async () => {
    const first = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ]);
    const apiKeyId = await keyId(app, first);
    const second = ok(await app.gql(RotateApiKeyDocument, { input: { apiKeyId, graceSeconds: 3600 } }, admin.token)).rotateApiKey.key;
    expect(ok(await app.gql(UsersDocument, {}, first)).users.length).toBeGreaterThan(0);
    await expectClosedOnRevocation(await connect(app, first), () => app.gql(RotateApiKeyDocument, { input: { apiKeyId, graceSeconds: 3600 } }, admin.token));
    expect(errorCode(await app.gql(UsersDocument, {}, first))).toBe('UNAUTHENTICATED');
    expect(ok(await app.gql(UsersDocument, {}, second)).users.length).toBeGreaterThan(0);
  });

  it('refuses a grace period over 7 days or below 0 with BAD_USER_INPUT on graceSeconds, writing nothing', async () => {
    const apiKeyId = await keyId(app, await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ]));
    await writesNothing(app, ACCESS_TABLES, async () => {
      for (const graceSeconds of [604801, -1]) {
        const res = await app.gql(RotateApiKeyDocument, { input: { apiKeyId, graceSeconds } }, admin.token);
        expect(errorCode(res)).toBe('BAD_USER_INPUT');
        expect(res.errors![0].extensions?.field).toBe('graceSeconds');
      }
    });
    expect(ok(await app.gql(RotateApiKeyDocument, { input: { apiKeyId, graceSeconds: 604800 } }, admin.token)).rotateApiKey.key).toMatch(/^tgk_/);
  });
});

describe('deactivateUser and reactivateUser', () => {
  it('a deactivated agent is refused at once (tokens, sockets, login with the wrong-password answer); its tickets stay; reactivation lets it log in again', async () => {
    const target = await make.staffUser(app, StaffRole.AGENT);
    const ticket = await make.ticket(app, { business: acme, assignee: target.user });
    const connection = await connect(app, target.token);
    await expectClosedOnRevocation(connection, async () => {
      const res = ok(await app.gql(DeactivateUserDocument, { input: { userId: target.user.globalId } }, admin.token)).deactivateUser;
      expect(res).toEqual({ active: false, user: { id: target.user.globalId }, contact: null });
    });
    expect(errorCode(await app.gql(MeDocument, {}, target.token))).toBe('UNAUTHENTICATED');
    // Admins see when; other staff see null.
    const seenBy = async (token: string) => ok(await app.gql(StaffDeactivationDocument, {}, token)).users.find((u) => u.id === target.user.globalId)!.deactivatedAt;
    expect(Date.parse((await seenBy(admin.token))!)).not.toBeNaN();
    expect(await seenBy(agent.token)).toBeNull();
    const login = await app.gql(LoginDocument, { input: { email: target.user.email, password: make.PASSWORD } });
    const wrong = await app.gql(LoginDocument, { input: { email: target.user.email, password: 'wrong-password' } });
    expect(login).toEqual(wrong);
    expect((await app.em().findOneOrFail(Ticket, { id: ticket.id })).assignee?.id).toBe(target.user.id);
    expect((await auditRows('DEACTIVATE_USER', target.user.id))[0]).toMatchObject({ actor_id: admin.user.id, details: { endedSessions: 1 } });

    ok(await app.gql(ReactivateUserDocument, { input: { userId: target.user.globalId } }, admin.token));
    expect(errorCode(await app.gql(MeDocument, {}, target.token))).toBe('UNAUTHENTICATED');
    const again = ok(await app.gql(LoginDocument, { input: { email: target.user.email, password: make.PASSWORD } })).login;
    expect(ok(await app.gql(MeDocument, {}, again.token)).me!.id).toBe(target.user.globalId);
    expect(await auditRows('REACTIVATE_USER', target.user.id)).toHaveLength(1);
  });

  it('refuses the live session of an account marked deactivated (the session check reads the account too)', async () => {
    const target = await make.staffUser(app);
    expect(ok(await app.gql(MeDocument, {}, target.token)).me!.id).toBe(target.user.globalId);
    await app.em().getConnection().execute('update app_user set deactivated_at = now() where id = ?', [target.user.id]);
    expect(errorCode(await app.gql(MeDocument, {}, target.token))).toBe('UNAUTHENTICATED');
  });

  it('deactivates a contact login by contactId: its token, socket and login are refused', async () => {
    const contact = await make.customer(app, acme);
    await expectClosedOnRevocation(await connect(app, contact.token), async () => {
      const res = ok(await app.gql(DeactivateUserDocument, { input: { contactId: contact.contact.globalId } }, admin.token)).deactivateUser;
      expect(res).toEqual({ active: false, user: null, contact: { id: contact.contact.globalId } });
    });
    expect(errorCode(await app.gql(MeDocument, {}, contact.token))).toBe('UNAUTHENTICATED');
    const seenBy = async (token: string) => (ok(await app.gql(ContactLoginDocument, { id: contact.contact.globalId }, token)).node as { loginDeactivatedAt: string | null }).loginDeactivatedAt;
    expect(Date.parse((await seenBy(admin.token))!)).not.toBeNaN();
    expect(await seenBy(agent.token)).toBeNull();
    const login = await app.gql(LoginDocument, { input: { email: contact.contact.email, password: make.PASSWORD } });
    expect(errorCode(login)).toBe('UNAUTHENTICATED');
    expect(login.errors![0].message).toBe('Wrong email or password.');
  });

  it('refuses deactivating oneself (BAD_USER_INPUT) and an input naming both or neither, writing nothing', async () => {
    await writesNothing(app, ACCESS_TABLES, async () => {
      expect(errorCode(await app.gql(DeactivateUserDocument, { input: { userId: admin.user.globalId } }, admin.token))).toBe('BAD_USER_INPUT');
      expect(errorCode(await app.gql(DeactivateUserDocument, { input: {} }, admin.token))).toBe('BAD_USER_INPUT');
      const both = { userId: agent.user.globalId, contactId: customer.contact.globalId };
      expect(errorCode(await app.gql(DeactivateUserDocument, { input: both }, admin.token))).toBe('BAD_USER_INPUT');
    });
    expect(ok(await app.gql(MeDocument, {}, admin.token)).me!.id).toBe(admin.user.globalId);
  });
});

describe('updateUser', () => {
  it('renames and changes the role; the new role applies to existing sessions at once; audited with old and new values', async () => {
    const target = await make.staffUser(app, StaffRole.AGENT, 'Before Name');
    expect(errorCode(await app.gql(ApiKeysDocument, {}, target.token))).toBe('FORBIDDEN');
    const updated = ok(await app.gql(UpdateUserDocument, { input: { userId: target.user.globalId, name: 'After Name', role: Role.ADMIN } }, admin.token));
    expect(updated.updateUser.user).toEqual({ id: target.user.globalId, name: 'After Name', role: 'ADMIN' });
    expect(ok(await app.gql(ApiKeysDocument, {}, target.token)).apiKeys.totalCount).toBeGreaterThan(0);
    ok(await app.gql(UpdateUserDocument, { input: { userId: target.user.globalId, role: Role.AGENT } }, admin.token));
    expect(errorCode(await app.gql(ApiKeysDocument, {}, target.token))).toBe('FORBIDDEN');
    const [last, first] = await auditRows('UPDATE_USER', target.user.id);
    expect(first.details).toEqual({ name: { from: 'Before Name', to: 'After Name' }, role: { from: 'AGENT', to: 'ADMIN' } });
    expect(last.details).toEqual({ role: { from: 'ADMIN', to: 'AGENT' } });
  });

  it('refuses CUSTOMER as a role (BAD_USER_INPUT) and demoting the last active admin (CONFLICT), writing nothing', async () => {
    const lone = await startTestApp();
    try {
      const boss = await make.staffUser(lone, StaffRole.ADMIN);
      const other = await make.staffUser(lone, StaffRole.ADMIN);
      ok(await lone.gql(DeactivateUserDocument, { input: { userId: other.user.globalId } }, boss.token));
      await writesNothing(lone, ACCESS_TABLES, async () => {
        expect(errorCode(await lone.gql(UpdateUserDocument, { input: { userId: boss.user.globalId, role: Role.AGENT } }, boss.token))).toBe('CONFLICT');
        expect(errorCode(await lone.gql(UpdateUserDocument, { input: { userId: boss.user.globalId, role: Role.CUSTOMER } }, boss.token))).toBe(
          'BAD_USER_INPUT',
        );
      });
      // With a second active admin, demoting oneself is allowed.
      ok(await lone.gql(ReactivateUserDocument, { input: { userId: other.user.globalId } }, boss.token));
      expect(ok(await lone.gql(UpdateUserDocument, { input: { userId: boss.user.globalId, role: Role.AGENT } }, boss.token)).updateUser.user.role).toBe('AGENT');
    } finally {
      await lone.stop();
    }
  });
});

describe('the last active admin', () => {
  it('two admins deactivating each other at once: one wins, one active admin always remains (10 rounds)', async () => {
    const lone = await startTestApp();
    try {
      const a = await make.staffUser(lone, StaffRole.ADMIN);
      const b = await make.staffUser(lone, StaffRole.ADMIN);
      const activeAdmins = async () =>
        Number(
          (await lone.em().getConnection().execute<{ n: string }[]>(`select count(*) as n from app_user where role = 'ADMIN' and deactivated_at is null`))[0].n,
        );
      for (let round = 0; round < 10; round += 1) {
        const answers = await Promise.all([
          lone.gql(DeactivateUserDocument, { input: { userId: b.user.globalId } }, a.token),
          lone.gql(DeactivateUserDocument, { input: { userId: a.user.globalId } }, b.token),
        ]);
        expect(answers.filter((answer) => !answer.errors)).toHaveLength(1);
        expect(await activeAdmins()).toBe(1);
        // The winner lets the other back in (with a new session) for the next round.
        const [winner, loser] = answers[0].errors ? [b, a] : [a, b];
        ok(await lone.gql(ReactivateUserDocument, { input: { userId: loser.user.globalId } }, winner.token));
        loser.token = await make.session(lone, loser.user);
      }
    } finally {
      await lone.stop();
    }
  });
});

describe('changePassword and logout', () => {
  it('changePassword needs the current password, ends every other session (and its socket), and returns a working token', async () => {
    const email = `changer-${Date.now()}@staff.example`;
    ok(await app.gql(CreateUserDocument, { input: { name: 'Changer', email, password: 'first-password-1', role: Role.AGENT } }, admin.token));
    const login = () => app.gql(LoginDocument, { input: { email, password: 'first-password-1' } });
    const current = ok(await login()).login.token;
    const other = ok(await login()).login.token;

    await writesNothing(app, ['app_user', 'auth_session'], async () => {
      const wrong = await app.gql(ChangePasswordDocument, { input: { currentPassword: 'not-it-at-all', newPassword: 'second-password-2' } }, current);
      expect(errorCode(wrong)).toBe('BAD_USER_INPUT');
      expect(wrong.errors![0].extensions?.field).toBe('currentPassword');
    });

    let token = '';
    await expectClosedOnRevocation(await connect(app, other), async () => {
      const changed = ok(await app.gql(ChangePasswordDocument, { input: { currentPassword: 'first-password-1', newPassword: 'second-password-2' } }, current));
      token = changed.changePassword.token;
    });
    expect(errorCode(await app.gql(MeDocument, {}, other))).toBe('UNAUTHENTICATED');
    expect(errorCode(await app.gql(MeDocument, {}, current))).toBe('UNAUTHENTICATED');
    expect(ok(await app.gql(MeDocument, {}, token)).me!.email).toBe(email);
    expect(errorCode(await login())).toBe('UNAUTHENTICATED');
    ok(await app.gql(LoginDocument, { input: { email, password: 'second-password-2' } }));
    const [entry] = await auditRows('CHANGE_PASSWORD');
    expect(entry).toMatchObject({ actor_name: 'Changer', target_name: email, details: { endedSessions: 2 } });
  });

  it('a customer changes its own password too; API keys and anonymous callers cannot', async () => {
    const contact = await make.customer(app, acme);
    const changed = ok(await app.gql(ChangePasswordDocument, { input: { currentPassword: make.PASSWORD, newPassword: 'customer-new-pass' } }, contact.token));
    expect(changed.changePassword.user).toEqual({ id: contact.contact.globalId, role: 'CUSTOMER' });
    const input = { currentPassword: make.PASSWORD, newPassword: 'whatever-else-1' };
    expect(errorCode(await app.gql(ChangePasswordDocument, { input }, readKey))).toBe('FORBIDDEN');
    expect(errorCode(await app.gql(ChangePasswordDocument, { input }))).toBe('UNAUTHENTICATED');
  });

  it('logout ends this session only (its socket closes); everywhere ends them all', async () => {
    const user = await make.staffUser(app);
    const second = await make.session(app, user.user);
    const third = await make.session(app, user.user);
    await expectClosedOnRevocation(await connect(app, user.token), async () => {
      expect(ok(await app.gql(LogoutDocument, {}, user.token)).logout.endedSessions).toBe(1);
    });
    expect(errorCode(await app.gql(MeDocument, {}, user.token))).toBe('UNAUTHENTICATED');
    expect(ok(await app.gql(MeDocument, {}, second)).me!.id).toBe(user.user.globalId);
    expect(ok(await app.gql(LogoutDocument, { input: { everywhere: true } }, second)).logout.endedSessions).toBe(2);
    expect(errorCode(await app.gql(MeDocument, {}, third))).toBe('UNAUTHENTICATED');
    expect(await auditRows('LOGOUT', user.user.id)).toHaveLength(2);
    expect(errorCode(await app.gql(LogoutDocument, {}, readKey))).toBe('FORBIDDEN');
  });
});

describe('auditLog', () => {
  it('lists actions newest first with actor, target, time and client address; filters by action; pages', async () => {
    const email = `audited-${Date.now()}@staff.example`;
    ok(await app.gql(CreateUserDocument, { input: { name: 'Audited', email, password: 'audited-pass-1', role: Role.AGENT } }, admin.token));
    await app.gql(LoginDocument, { input: { email, password: 'wrong-password' } });
    ok(await app.gql(LoginDocument, { input: { email, password: 'audited-pass-1' } }));

    const log = ok(await app.gql(AuditLogDocument, { first: 3 }, admin.token)).auditLog;
    expect(log.nodes.map((n) => n.action)).toEqual([AuditAction.LOGIN, AuditAction.LOGIN_FAILED, AuditAction.CREATE_USER]);
    const [login, failed, created] = log.nodes;
    expect(login).toMatchObject({ actorType: 'USER', actorName: 'Audited', targetType: 'User', targetName: email, clientAddress: expect.stringMatching(/127\.0\.0\.1/) });
    expect(login.actorId).toBe(login.targetId);
    expect(failed).toMatchObject({ actorType: 'ANONYMOUS', actorId: null, details: { email } });
    expect(created).toMatchObject({ actorType: 'USER', actorId: admin.user.globalId, actorName: 'Ada Admin', targetName: email, details: { role: 'AGENT' } });
    expect(Date.parse(login.createdAt)).toBeGreaterThanOrEqual(Date.parse(created.createdAt));

    const next = ok(await app.gql(AuditLogDocument, { first: 1, after: log.pageInfo.endCursor }, admin.token)).auditLog;
    expect(next.nodes[0].id).not.toBe(created.id);
    const onlyCreates = ok(await app.gql(AuditLogDocument, { action: AuditAction.CREATE_USER, first: 100 }, admin.token)).auditLog;
    expect(onlyCreates.nodes.every((n) => n.action === 'CREATE_USER')).toBe(true);
    expect(onlyCreates.nodes[0].targetName).toBe(email);
  });
});

describe('several instances (Redis)', () => {
  it('revoking a key or deactivating a user on one instance closes their sockets on another within a second', async () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379' };
    const a = await startTestApp(env);
    const b = await startTestApp(env, a);
    try {
      const boss = await make.staffUser(a, StaffRole.ADMIN);
      const key = await make.apiKey(a, boss.user, [ApiScope.TICKETS_READ]);
      const apiKeyId = await keyId(a, key);
      await expectClosedOnRevocation(await connect(b, key), () => a.gql(RevokeApiKeyDocument, { input: { apiKeyId } }, boss.token));

      const staff = await make.staffUser(a);
      await expectClosedOnRevocation(await connect(b, staff.token), () => a.gql(DeactivateUserDocument, { input: { userId: staff.user.globalId } }, boss.token));
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
