import { print } from 'graphql';
import { AuditAction, AuditLogDocument, LoginDocument } from '../__generated__/graphql';
import { Role as StaffRole } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, type GraphQLResponse, type TestApp } from '../setup/test-app';

/** A login as a client sends it, answering the HTTP status and Retry-After as well as the body. */
async function login(target: TestApp, email: string, password: string) {
  const response = await fetch(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: print(LoginDocument), variables: { input: { email, password } } }),
  });
  const body = (await response.json()) as GraphQLResponse<{ login: { token: string } }>;
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

/** What a client can tell apart, with the seconds to wait blanked (they count down while the test runs). */
function shape(answer: Awaited<ReturnType<typeof login>>) {
  const error = answer.body.errors?.[0];
  return {
    status: answer.status,
    code: error?.extensions?.code,
    message: error?.message.replace(/\d+ s\b/, 'N s'),
    retryAfter: answer.retryAfter === null ? null : 'N',
    extensions: Object.keys(error?.extensions ?? {}).sort(),
    data: answer.body.data,
  };
}

describe('login throttle per email (5 failures per 15 minutes)', () => {
  let app: TestApp;
  let agent: make.Staff;
  let admin: make.Staff;
  beforeAll(async () => {
    app = await startTestApp({ LOGIN_MAX_FAILURES: '5', LOGIN_MAX_FAILURES_PER_ADDRESS: '1000' });
    agent = await make.staffUser(app);
    admin = await make.staffUser(app, StaffRole.ADMIN);
  });
  afterAll(() => app.stop());

  it('after 50 wrong passwords the right one is refused too: RATE_LIMITED, HTTP 429, Retry-After; audited once as LOGIN_THROTTLED', async () => {
    const answers = [];
    for (let i = 0; i < 50; i += 1) answers.push(shape(await login(app, agent.user.email, `wrong-password-${i}`)));
    expect(answers.slice(0, 5).every((a) => a.code === 'UNAUTHENTICATED')).toBe(true);
    expect(answers.slice(5).every((a) => a.code === 'RATE_LIMITED' && a.status === 429)).toBe(true);

    const right = await login(app, agent.user.email, make.PASSWORD);
    expect(right.status).toBe(429);
    expect(right.body.data ?? null).toBeNull();
    const [error] = right.body.errors!;
    expect(error.extensions?.code).toBe('RATE_LIMITED');
    const wait = error.extensions?.retryAfterSeconds as number;
    expect(wait).toBeGreaterThan(800);
    expect(wait).toBeLessThanOrEqual(900);
    expect(Number(right.retryAfter)).toBe(wait);

    // Another account is not affected by this email's failures.
    expect((await login(app, admin.user.email, make.PASSWORD)).body.data?.login.token).toBeTruthy();
    const log = (await app.gql(AuditLogDocument, { first: 100 }, admin.token)).data!.auditLog.nodes;
    const about = (action: AuditAction) => log.filter((entry) => entry.action === action && entry.details.email === agent.user.email);
    expect(about(AuditAction.LOGIN_THROTTLED)).toHaveLength(1);
    expect(about(AuditAction.LOGIN_FAILED)).toHaveLength(5);
  });

  it('answers an unknown email exactly as a known one, failure after failure', async () => {
    const known = await make.staffUser(app);
    const unknown = `nobody-${Date.now()}@nowhere.example`;
    for (let i = 0; i < 8; i += 1) {
      const forKnown = shape(await login(app, known.user.email, `wrong-password-${i}`));
      const forUnknown = shape(await login(app, unknown, `wrong-password-${i}`));
      expect(forUnknown).toEqual(forKnown);
    }
  });

  it('a wrong password for an unknown email costs what it costs for a known one (a hash of the same parameters is verified)', async () => {
    const known = await make.staffUser(app);
    // Shown by what is verified, not by a stopwatch (a busy machine makes any timing flicker): one
    // argon2 verification per failed login, against a hash of the same algorithm and cost either way.
    // The app runs in this process, so it calls the same module object.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const argon2 = require('@node-rs/argon2') as typeof import('@node-rs/argon2');
    const verify = jest.spyOn(argon2, 'verify');
    try {
      const verifiedFor = async (email: string) => {
        verify.mockClear();
        await login(app, email, 'wrong-password-1');
        return verify.mock.calls.map(([hash]) => String(hash).replace(/\$[^$]*\$[^$]*$/, ''));
      };
      const forKnown = await verifiedFor(known.user.email);
      const forUnknown = await verifiedFor(`nobody-else-${Date.now()}@nowhere.example`);
      expect(forKnown).toEqual([expect.stringMatching(/^\$argon2id\$v=\d+\$m=\d+,t=\d+,p=\d+$/)]);
      expect(forUnknown).toEqual(forKnown);
    } finally {
      verify.mockRestore();
    }
  });

  it('a successful login clears the email’s failures', async () => {
    const user = await make.staffUser(app);
    for (let i = 0; i < 4; i += 1) await login(app, user.user.email, 'wrong-password');
    expect((await login(app, user.user.email, make.PASSWORD)).status).toBe(200);
    for (let i = 0; i < 4; i += 1) expect(shape(await login(app, user.user.email, 'wrong-password')).code).toBe('UNAUTHENTICATED');
  });
});

describe('login throttle per client address', () => {
  it('20 failures from one address over many emails refuse every login from it, right passwords included', async () => {
    const app = await startTestApp({ LOGIN_MAX_FAILURES: '1000', LOGIN_MAX_FAILURES_PER_ADDRESS: '20' });
    try {
      const agent = await make.staffUser(app);
      for (let i = 0; i < 20; i += 1) {
        expect(shape(await login(app, `guess-${i}@nowhere.example`, 'wrong-password')).code).toBe('UNAUTHENTICATED');
      }
      const right = await login(app, agent.user.email, make.PASSWORD);
      expect(shape(right)).toMatchObject({ status: 429, code: 'RATE_LIMITED', retryAfter: 'N' });
    } finally {
      await app.stop();
    }
  });
});

describe('login throttle across instances (Redis)', () => {
  it('failures counted on one instance refuse logins on another', async () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', LOGIN_MAX_FAILURES: '5', LOGIN_MAX_FAILURES_PER_ADDRESS: '1000' };
    const a = await startTestApp(env);
    const b = await startTestApp(env, a);
    try {
      const agent = await make.staffUser(a);
      for (let i = 0; i < 5; i += 1) await login(i % 2 === 0 ? a : b, agent.user.email, 'wrong-password');
      expect(shape(await login(b, agent.user.email, make.PASSWORD))).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(shape(await login(a, agent.user.email, make.PASSWORD))).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    } finally {
      await b.stop();
      await a.stop();
    }
  });
});
