import type { GraphQLFormattedError } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import * as make from '../factories';
import { postQuery, type RawAnswer } from '../setup/raw-request';
import { startTestApp, type TestApp } from '../setup/test-app';
import { wsClient } from '../setup/ws-client';

const LIMITS = { RATE_LIMIT_POINTS: '3', RATE_LIMIT_ANONYMOUS_POINTS: '2', RATE_LIMIT_WINDOW_SECONDS: '60', TRUST_PROXY: 'true' };
const QUERY = '{ __typename }';

let app: TestApp;
let acme: Awaited<ReturnType<typeof make.business>>;

beforeAll(async () => {
  app = await startTestApp(LIMITS);
  acme = await make.business(app);
});
afterAll(() => app.stop());

/** A fresh address for each anonymous caller, through the trusted proxy's X-Forwarded-For. */
let lastOctet = 0;
const newAddress = () => ({ 'x-forwarded-for': `203.0.113.${(lastOctet += 1)}` });

/** The four RateLimit fields of the IETF draft, as sent. */
function rateLimitHeaders(answer: RawAnswer) {
  return {
    limit: answer.headers.get('ratelimit-limit'),
    remaining: answer.headers.get('ratelimit-remaining'),
    reset: Number(answer.headers.get('ratelimit-reset')),
    policy: answer.headers.get('ratelimit-policy'),
  };
}

/** Opens a real graphql-ws connection with `token` from `headers`' address; resolves with the code it closes with. */
function closeCodeOf(token: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const client = createClient({
      url: app.url.replace(/^http/, 'ws'),
      webSocketImpl: class extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers });
        }
      },
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
      on: { closed: (event) => resolve((event as { code: number }).code) },
    });
    client.on('closed', () => void client.dispose());
  });
}

function expectRateLimited(answer: RawAnswer) {
  expect(answer.status).toBe(429);
  const error = answer.body.errors![0] as GraphQLFormattedError;
  expect(error.extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
  const retryAfter = error.extensions!.retryAfterSeconds as number;
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(answer.headers.get('retry-after')).toBe(String(retryAfter));
  expect(rateLimitHeaders(answer)).toMatchObject({ remaining: '0' });
}

/** Sends `count` requests as one caller and checks each is answered, counting down. */
async function spend(count: number, points: number, options: Parameters<typeof postQuery>[2]) {
  for (let i = 1; i <= count; i += 1) {
    const answer = await postQuery(app.url, QUERY, options);
    expect(answer.status).toBe(200);
    const headers = rateLimitHeaders(answer);
    expect(headers).toMatchObject({ limit: String(points), remaining: String(points - i), policy: `${points};w=60` });
    expect(headers.reset).toBeGreaterThan(0);
    expect(headers.reset).toBeLessThanOrEqual(60);
  }
}

describe('request rate limits', () => {
  const callers: [string, () => Promise<string>][] = [
    ['staff member', async () => (await make.staffUser(app)).token],
    ['contact', async () => (await make.customer(app, acme)).token],
    ['API key', async () => make.apiKey(app, (await make.staffUser(app)).user, [ApiScope.TICKETS_READ])],
  ];

  it.each(callers)('gives each %s its own budget: beyond it RATE_LIMITED, HTTP 429 and Retry-After', async (_kind, credentials) => {
    const [first, second] = [await credentials(), await credentials()];
    // The same address for both: only the credentials tell them apart.
    const address = newAddress();
    await spend(3, 3, { token: first, headers: address });
    expectRateLimited(await postQuery(app.url, QUERY, { token: first, headers: address }));
    await spend(1, 3, { token: second, headers: address });
  });

  it('gives each anonymous address its own, smaller budget, and charges refused credentials to it', async () => {
    const [one, two, three] = [newAddress(), newAddress(), newAddress()];
    await spend(2, 2, { headers: one });
    expectRateLimited(await postQuery(app.url, QUERY, { headers: one }));
    await spend(1, 2, { headers: two });

    const guess = { token: 'tgk_not-a-real-key-0000000000000000', headers: three };
    for (let i = 0; i < 2; i += 1) {
      const refused = await postQuery(app.url, QUERY, guess);
      expect(refused.body.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
      expect(rateLimitHeaders(refused)).toMatchObject({ limit: '2', remaining: String(1 - i) });
    }
    expectRateLimited(await postQuery(app.url, QUERY, guess));
  });

  it('charges a WebSocket connection_init with a refused credential to its address: beyond the budget it closes with 4429', async () => {
    const address = newAddress();
    const guess = 'tgk_not-a-real-key-0000000000000000';
    expect(await closeCodeOf(guess, address)).toBe(4403);
    expect(await closeCodeOf(guess, address)).toBe(4403);
    expect(await closeCodeOf(guess, address)).toBe(4429);
    // The same budget as the address's anonymous HTTP requests.
    expectRateLimited(await postQuery(app.url, QUERY, { headers: address }));
    // Another address is not affected.
    expect(await closeCodeOf(guess, newAddress())).toBe(4403);
  });

  it('sends the RateLimit headers on every answer: data, refusals and errors alike', async () => {
    const agent = await make.staffUser(app);
    const answers = [
      await postQuery(app.url, QUERY, { token: agent.token }),
      await postQuery(app.url, '{ noSuchField }', { token: agent.token }),
      await postQuery(app.url, `{ ${Array.from({ length: 11 }, (_, i) => `t${i}: tags { name }`).join(' ')} }`, { token: agent.token }),
    ];
    expect(answers.map((a) => a.body.errors?.[0].extensions?.code)).toEqual([undefined, 'GRAPHQL_VALIDATION_FAILED', 'QUERY_TOO_COMPLEX']);
    expect(answers.map((a) => rateLimitHeaders(a).remaining)).toEqual(['2', '1', '0']);
    for (const answer of answers) expect(rateLimitHeaders(answer)).toMatchObject({ limit: '3', policy: '3;w=60' });
  });

  it('counts WebSocket subscribe messages against the same budget as HTTP requests', async () => {
    const agent = await make.staffUser(app);
    const client = wsClient(app.url, agent.token);
    const run = () =>
      new Promise<{ data?: unknown; errors?: GraphQLFormattedError[] }>((resolve) => {
        let data: unknown;
        client.subscribe({ query: QUERY }, { next: (value) => (data = value.data), error: (errors) => resolve({ errors: errors as GraphQLFormattedError[] }), complete: () => resolve({ data }) });
      });
    try {
      expect(await run()).toEqual({ data: { __typename: 'Query' } });
      expect(await run()).toEqual({ data: { __typename: 'Query' } });
      const third = await postQuery(app.url, QUERY, { token: agent.token });
      expect(rateLimitHeaders(third)).toMatchObject({ limit: '3', remaining: '0' });
      const refused = await run();
      expect(refused.errors![0].extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
      expectRateLimited(await postQuery(app.url, QUERY, { token: agent.token }));
    } finally {
      await client.dispose();
    }
  });

  it('shares the budget across instances through Redis', async () => {
    // Budgets are keyed by user id (a fresh UUID per run), so parallel runs on one Redis never meet.
    const env = { ...LIMITS, RATE_LIMIT_POINTS: '2', REDIS_URL: 'redis://127.0.0.1:6379' };
    const first = await startTestApp(env);
    const second = await startTestApp(env, first);
    try {
      const agent = await make.staffUser(first);
      expect((await postQuery(first.url, QUERY, { token: agent.token })).status).toBe(200);
      expect((await postQuery(second.url, QUERY, { token: agent.token })).status).toBe(200);
      expectRateLimited(await postQuery(first.url, QUERY, { token: agent.token }));
      expectRateLimited(await postQuery(second.url, QUERY, { token: agent.token }));
    } finally {
      await second.stop();
      await first.stop();
    }
  });
});
