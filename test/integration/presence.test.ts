import Redis from 'ioredis';
import { OnTicketViewersDocument, SetTypingDocument, type OnTicketViewersSubscription } from '../__generated__/graphql';
import { TYPING_LEASE_MS } from '../../src/modules/presence/presence-hub';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { Role } from '../../src/modules/users/user.enums';
import { toGlobalId } from '../../src/shared/global-id';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import { subscribe, wsClient, type Subscription } from '../setup/ws-client';

const REDIS_URL = 'redis://127.0.0.1:6379';

/** Waits until the subscriber's latest list of viewers (and typists) is `viewers` (and `typing`). */
async function until(stream: Subscription<OnTicketViewersSubscription>, viewers: string[], typing: string[] = [], timeoutMs = 15_000) {
  const latest = () => {
    const last = stream.received.at(-1)?.data?.ticketViewers;
    return last && { viewers: last.viewers.map((u) => u.id).sort(), typing: last.typing.map((u) => u.id).sort() };
  };
  const wanted = { viewers: [...viewers].sort(), typing: [...typing].sort() };
  const deadline = Date.now() + timeoutMs;
  while (JSON.stringify(latest()) !== JSON.stringify(wanted)) {
    if (Date.now() > deadline) throw new Error(`expected ${JSON.stringify(wanted)}, last got ${JSON.stringify(latest())}`);
    await stream.waitFor(stream.received.length + 1, deadline - Date.now()).catch(() => undefined);
  }
}

describe('who else is on a ticket, across two instances sharing Redis', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({ REDIS_URL });
    b = await startTestApp({ REDIS_URL }, a);
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
  });

  it('lists every viewer and typist to every viewer, and drops an agent whose socket closes at once', async () => {
    const ada = await make.staffUser(a);
    const bob = await make.staffUser(a, Role.ADMIN);
    const ticket = await make.ticket(a, { business: await make.business(a) });
    const adaClient = wsClient(a.url, ada.token);
    const bobClient = wsClient(b.url, bob.token);
    try {
      const adaSees = subscribe(adaClient, OnTicketViewersDocument, { ticketId: ticket.globalId });
      await until(adaSees, [ada.user.globalId]);
      const bobSees = subscribe(bobClient, OnTicketViewersDocument, { ticketId: ticket.globalId });
      await until(bobSees, [ada.user.globalId, bob.user.globalId]);
      await until(adaSees, [ada.user.globalId, bob.user.globalId]);

      const typing = await a.gql(SetTypingDocument, { input: { ticketId: ticket.globalId, typing: true } }, bob.token);
      expect(typing.data!.setTyping.typing.map((u) => u.id)).toEqual([bob.user.globalId]);
      await until(adaSees, [ada.user.globalId, bob.user.globalId], [bob.user.globalId]);
      await until(bobSees, [ada.user.globalId, bob.user.globalId], [bob.user.globalId]);
      await b.gql(SetTypingDocument, { input: { ticketId: ticket.globalId, typing: false } }, bob.token);
      await until(adaSees, [ada.user.globalId, bob.user.globalId], []);
      const typingSince = Date.now();
      await b.gql(SetTypingDocument, { input: { ticketId: ticket.globalId, typing: true } }, bob.token);
      await until(adaSees, [ada.user.globalId, bob.user.globalId], [bob.user.globalId]);

      // Bob's socket closes: his leases are released then, and his typing mark goes with him, before it could
      // have run out (the wait ends before the typing lease, taken after typingSince, would expire).
      await bobClient.dispose();
      await until(adaSees, [ada.user.globalId], [], typingSince + TYPING_LEASE_MS - Date.now());
    } finally {
      await adaClient.dispose();
      await bobClient.dispose();
    }
  });

  it('forgets, within seconds, the viewers of an instance that died without a word', async () => {
    const ada = await make.staffUser(a);
    const ghost = await make.staffUser(a);
    const ticket = await make.ticket(a, {});
    const adaClient = wsClient(b.url, ada.token);
    const redis = new Redis(REDIS_URL);
    try {
      const adaSees = subscribe(adaClient, OnTicketViewersDocument, { ticketId: ticket.globalId });
      await until(adaSees, [ada.user.globalId]);
      // A lease as a dead instance leaves it: taken, announced, never renewed nor released.
      await redis.zadd(`ticketgraph:presence:${ticket.id}:viewing`, Date.now() + 1_000, `${ghost.user.id}:dead-instance`);
      await redis.publish('ticketgraph:presence', ticket.id);
      await until(adaSees, [ada.user.globalId, ghost.user.globalId]);
      await until(adaSees, [ada.user.globalId]);
    } finally {
      redis.disconnect();
      await adaClient.dispose();
    }
  });
});

describe('who else is on a ticket, on one instance without Redis', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.stop());

  it('works in memory, for staff only: customers and API keys are refused, an unknown ticket is NOT_FOUND', async () => {
    const ada = await make.staffUser(app);
    const acme = await make.business(app);
    const carol = await make.customer(app, acme);
    const key = await make.apiKey(app, ada.user, Object.values(ApiScope));
    const ticket = await make.ticket(app, { business: acme });
    const adaClient = wsClient(app.url, ada.token);
    try {
      const adaSees = subscribe(adaClient, OnTicketViewersDocument, { ticketId: ticket.globalId });
      await until(adaSees, [ada.user.globalId]);
      await app.gql(SetTypingDocument, { input: { ticketId: ticket.globalId, typing: true } }, ada.token);
      await until(adaSees, [ada.user.globalId], [ada.user.globalId]);

      for (const [token, code] of [
        [carol.token, 'FORBIDDEN'],
        [key, 'FORBIDDEN'],
        [undefined, 'UNAUTHENTICATED'],
      ] as const) {
        const typing = await app.gql(SetTypingDocument, { input: { ticketId: ticket.globalId, typing: true } }, token);
        expect(typing.errors![0].extensions!.code).toBe(code);
        if (token === undefined) continue;
        const client = wsClient(app.url, token);
        try {
          const [refused] = await subscribe(client, OnTicketViewersDocument, { ticketId: ticket.globalId }).waitFor(1);
          expect(refused.data ?? null).toBeNull();
          expect(refused.errors![0].extensions!.code).toBe('FORBIDDEN');
        } finally {
          await client.dispose();
        }
      }
      const missing = toGlobalId('Ticket', '01890000-0000-7000-8000-000000000000');
      const [unknown] = await subscribe(adaClient, OnTicketViewersDocument, { ticketId: missing }).waitFor(1);
      expect(unknown.errors![0].extensions!.code).toBe('NOT_FOUND');
      expect((await app.gql(SetTypingDocument, { input: { ticketId: missing, typing: true } }, ada.token)).errors![0].extensions!.code).toBe('NOT_FOUND');
      // Nobody refused ever appeared in the list: Ada's stopping typing is the end marker (one socket is
      // ordered, so a state showing a refused viewer would have come before it).
      await app.gql(SetTypingDocument, { input: { ticketId: ticket.globalId, typing: false } }, ada.token);
      await until(adaSees, [ada.user.globalId], []);
      const everyone = adaSees.received.flatMap((r) => [...r.data!.ticketViewers.viewers, ...r.data!.ticketViewers.typing].map((u) => u.id));
      expect(new Set(everyone)).toEqual(new Set([ada.user.globalId]));
    } finally {
      await adaClient.dispose();
    }
  });
});
