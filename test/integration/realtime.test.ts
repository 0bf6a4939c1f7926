import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { print, type GraphQLFormattedError } from 'graphql';
import WebSocket from 'ws';
import {
  AddCommentDocument,
  AssignTicketDocument,
  ChangeTicketStatusDocument,
  OnCommentAddedDocument,
  OnTicketAssignedDocument,
  OnTicketEventsDocument,
  OnTicketStatusChangedDocument,
  OnTicketStatusChangedWithCommentsDocument,
} from '../__generated__/graphql';
import { freePort } from '../../src/db/embedded';
import { TicketEvent, TicketEventType } from '../../src/modules/tickets/ticket-event.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { recordEvent } from '../../src/modules/tickets/timeline';
import { TokenService } from '../../src/modules/users/auth/tokens';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { Role } from '../../src/modules/users/user.enums';
import { decodeCursor, encodeCursor } from '../../src/shared/pagination';
import * as make from '../factories';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../setup/test-app';
import { sample, scrapeMetrics } from '../setup/metrics';
import { receivedUntil, subscribe, untilLive, wsClient, type Subscription } from '../setup/ws-client';

let app: TestApp;
let agent: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let globex: Awaited<ReturnType<typeof make.business>>;
let carol: make.Customer;

beforeAll(async () => {
  app = await startTestApp({ WS_MAX_SUBSCRIPTIONS: '4' });
  agent = await make.staffUser(app);
  acme = await make.business(app);
  globex = await make.business(app);
  carol = await make.customer(app, acme);
});
afterAll(() => app.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const move = (target: TestApp, ticketId: string, status: TicketStatus, reason?: string) =>
  target.gql(ChangeTicketStatusDocument, { input: { ticketId, status: status as never, reason } }, agent.token);

/** Waits for a raw socket's close code. */
async function closeCode(socket: WebSocket, timeoutMs = 8000): Promise<number> {
  const timer = setTimeout(() => socket.terminate(), timeoutMs);
  const [code] = (await once(socket, 'close')) as [number];
  clearTimeout(timer);
  return code;
}

/** Makes `subscriptions` live on `target` by pinging a warm-up ticket until `probe` hears it. */
async function live(target: TestApp, client: ReturnType<typeof wsClient>) {
  const warmUp = await make.ticket(target, { business: acme });
  await untilLive(subscribe(client, OnCommentAddedDocument, { ticketId: warmUp.globalId }), () =>
    target.gql(AddCommentDocument, { input: { ticketId: warmUp.globalId, body: 'ping' } }, agent.token),
  );
}

describe('connection', () => {
  const wsUrl = () => app.url.replace(/^http/, 'ws');

  it('closes with 4403 for a bad token', async () => {
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: 'Bearer not-a-token' } }));
    expect(await closeCode(socket)).toBe(4403);
  });

  it('closes with 4408 when connection_init never comes', async () => {
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
    expect(await closeCode(socket)).toBe(4408);
  });

  it('closes with 4403 when the session token runs out', async () => {
    // Ten seconds: long enough that the connection is acknowledged while the token is still good, on a
    // loaded machine too (a token already run out is refused with 4403 before any acknowledgement).
    const shortLived = await make.session(app, agent.user, new TokenService(TEST_JWT_SECRET, 10));
    const socket = new WebSocket(wsUrl(), 'graphql-transport-ws');
    const closed = closeCode(socket, 60_000);
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${shortLived}` } }));
    const first = await Promise.race([once(socket, 'message').then(([ack]) => JSON.parse(String(ack)).type), closed.then((code) => `closed ${code}`)]);
    expect(first).toBe('connection_ack');
    expect(await closed).toBe(4403);
  });

  it('limits subscriptions per connection', async () => {
    const client = wsClient(app.url, agent.token);
    try {
      const subscriptions = Array.from({ length: 5 }, () => subscribe(client, OnTicketStatusChangedDocument, {}));
      // The refusal comes as an error of one of them: wait for it, not for a while.
      for (const deadline = Date.now() + 30_000; !subscriptions.some((s) => s.errors.length > 0) && Date.now() < deadline; ) await sleep(20);
      const refused = subscriptions.filter((s) => s.errors.length > 0);
      expect(refused).toHaveLength(1);
      expect(JSON.stringify(refused[0].errors[0])).toContain('RATE_LIMITED');
    } finally {
      await client.dispose();
    }
  });
});

describe('what each role receives', () => {
  it('customers get their business only and nothing internal; keys need their scopes', async () => {
    const ours = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    const theirs = await make.ticket(app, { business: globex, status: TicketStatus.IN_PROGRESS });
    const readKey = await make.apiKey(app, agent.user, [ApiScope.TICKETS_READ]);
    const internalKey = await make.apiKey(app, agent.user, [ApiScope.TICKETS_READ, ApiScope.COMMENTS_INTERNAL]);
    const blindKey = await make.apiKey(app, agent.user, [ApiScope.REPORTS_READ]);
    const viewers = { agent: agent.token, carol: carol.token, readKey, internalKey, blindKey };
    const clients = Object.fromEntries(Object.entries(viewers).map(([name, token]) => [name, wsClient(app.url, token)]));
    try {
      const status: Record<string, Subscription<unknown>> = {};
      const comments: Record<string, Subscription<unknown>> = {};
      for (const [name, client] of Object.entries(clients)) {
        status[name] = subscribe(client, OnTicketStatusChangedDocument, {});
        comments[name] = subscribe(client, OnCommentAddedDocument, {});
      }
      // A key that may read nothing cannot hear a warm-up; the others can, and it subscribed before them.
      for (const [name, client] of Object.entries(clients)) if (name !== 'blindKey') await live(app, client);

      // Ours moves with a reason the customer is told; theirs with an internal reason (the move is visible, the reason is not).
      await app.gql(ChangeTicketStatusDocument, { input: { ticketId: ours.globalId, status: 'WAITING_ON_THIRD_PARTY' as never, reason: 'Told', notifyCustomer: true } }, agent.token);
      await move(app, theirs.globalId, TicketStatus.WAITING_ON_THIRD_PARTY, 'Untold');
      await app.gql(AddCommentDocument, { input: { ticketId: ours.globalId, body: 'internal note', isInternal: true } }, agent.token);
      await app.gql(AddCommentDocument, { input: { ticketId: ours.globalId, body: 'public reply' } }, agent.token);
      // Everything each role must hear, by arrival; the pause after it only gives what must not arrive a chance to show.
      const moves = { agent: 2, internalKey: 2, readKey: 2, carol: 1 };
      for (const [name, count] of Object.entries(moves)) {
        await status[name].waitFor(count);
        await receivedUntil(comments[name], (received) => JSON.stringify(received).includes('public reply'));
      }
      await sleep(500);

      const ticketsSeen = (name: string) => status[name].received.map((r) => (r.data as { ticketStatusChanged: { ticket: { id: string } } }).ticketStatusChanged.ticket.id);
      // Warm-up pings of the clients that became live later may still arrive; they are not under test.
      const bodies = (name: string) =>
        comments[name].received.map((r) => (r.data as { commentAdded: { body: string } }).commentAdded.body).filter((body) => body !== 'ping');
      const reasons = (name: string) => status[name].received.map((r) => (r.data as { ticketStatusChanged: { reason: string | null } }).ticketStatusChanged.reason);
      expect(ticketsSeen('agent')).toEqual([ours.globalId, theirs.globalId]);
      expect(ticketsSeen('internalKey')).toEqual([ours.globalId, theirs.globalId]);
      expect(ticketsSeen('readKey')).toEqual([ours.globalId, theirs.globalId]);
      expect(ticketsSeen('carol')).toEqual([ours.globalId]);
      expect(ticketsSeen('blindKey')).toEqual([]);
      expect([reasons('agent'), reasons('internalKey'), reasons('readKey'), reasons('carol')]).toEqual([
        ['Told', 'Untold'],
        ['Told', 'Untold'],
        ['Told', null],
        ['Told'],
      ]);
      expect(bodies('agent')).toEqual(['Told', 'Untold', 'internal note', 'public reply']);
      expect(bodies('internalKey')).toEqual(['Told', 'Untold', 'internal note', 'public reply']);
      expect(bodies('readKey')).toEqual(['Told', 'public reply']);
      expect(bodies('carol')).toEqual(['Told', 'public reply']);
      expect(bodies('blindKey')).toEqual([]);
    } finally {
      for (const client of Object.values(clients)) await client.dispose();
    }
  });

  it('ticketAssigned announces assignments to and from the given agent', async () => {
    const other = await make.staffUser(app);
    const ticket = await make.ticket(app, { business: acme });
    const client = wsClient(app.url, other.token);
    try {
      const mine = subscribe(client, OnTicketAssignedDocument, { assigneeId: other.user.globalId });
      await live(app, client);
      await app.gql(AssignTicketDocument, { input: { ticketId: ticket.globalId, assigneeId: agent.user.globalId } }, agent.token);
      await app.gql(AssignTicketDocument, { input: { ticketId: ticket.globalId, assigneeId: other.user.globalId } }, agent.token);
      await app.gql(AssignTicketDocument, { input: { ticketId: ticket.globalId, assigneeId: null } }, agent.token);
      const got = await mine.waitFor(2);
      await sleep(300);
      expect(got.map((r) => r.data!.ticketAssigned)).toEqual([
        expect.objectContaining({ fromAssigneeId: agent.user.globalId, toAssigneeId: other.user.globalId }),
        expect.objectContaining({ fromAssigneeId: other.user.globalId, toAssigneeId: null }),
      ]);
    } finally {
      await client.dispose();
    }
  });
});

describe('one execution per group of subscribers', () => {
  type Seen = { ticketStatusChanged: { ticket: { comments: { nodes: { body: string }[] } } } };
  const commentsSeen = (subscription: Subscription<unknown>) =>
    subscription.received.map((r) => (r.data as Seen).ticketStatusChanged.ticket.comments.nodes.map((c) => c.body));

  it('shares a result only between subscribers with the same access: nested internal comments reach staff, never customers', async () => {
    const ticket = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    await make.comment(app, ticket, agent.user, 'internal note', true);
    await make.comment(app, ticket, agent.user, 'public reply', false);
    const other = await make.staffUser(app);
    const viewers = {
      agent: agent.token,
      otherAgent: other.token,
      carol: carol.token,
      readKey: await make.apiKey(app, agent.user, [ApiScope.TICKETS_READ]),
      internalKey: await make.apiKey(app, agent.user, [ApiScope.TICKETS_READ, ApiScope.COMMENTS_INTERNAL]),
    };
    const clients = Object.fromEntries(Object.entries(viewers).map(([name, token]) => [name, wsClient(app.url, token)]));
    try {
      const seen = Object.fromEntries(
        Object.entries(clients).map(([name, client]) => [name, subscribe(client, OnTicketStatusChangedWithCommentsDocument, { ticketId: ticket.globalId })]),
      );
      for (const client of Object.values(clients)) await live(app, client);
      await app.gql(ChangeTicketStatusDocument, { input: { ticketId: ticket.globalId, status: 'WAITING_ON_CUSTOMER' as never, reason: 'Which browser?', notifyCustomer: true } }, agent.token);
      for (const subscription of Object.values(seen)) await subscription.waitFor(1);

      const everything = ['internal note', 'public reply', 'Which browser?'];
      expect(commentsSeen(seen.agent)).toEqual([everything]);
      expect(commentsSeen(seen.otherAgent)).toEqual([everything]);
      expect(commentsSeen(seen.internalKey)).toEqual([everything]);
      expect(commentsSeen(seen.carol)).toEqual([['public reply', 'Which browser?']]);
      expect(commentsSeen(seen.readKey)).toEqual([['public reply', 'Which browser?']]);
    } finally {
      for (const client of Object.values(clients)) await client.dispose();
    }
  });

  it('groups customers by business: several customers of two businesses on one query each hear their own business only', async () => {
    const ours = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    const theirs = await make.ticket(app, { business: globex, status: TicketStatus.IN_PROGRESS });
    const customers = [
      { business: acme, customer: carol },
      { business: acme, customer: await make.customer(app, acme) },
      { business: globex, customer: await make.customer(app, globex) },
      { business: globex, customer: await make.customer(app, globex) },
    ];
    const clients = customers.map(({ customer }) => wsClient(app.url, customer.token));
    try {
      const heard = clients.map((client) => subscribe(client, OnTicketStatusChangedDocument, {}));
      for (const [i, { business }] of customers.entries()) {
        // A customer hears a warm-up only on a ticket of its own business.
        const warmUp = await make.ticket(app, { business });
        await untilLive(subscribe(clients[i], OnCommentAddedDocument, { ticketId: warmUp.globalId }), () =>
          app.gql(AddCommentDocument, { input: { ticketId: warmUp.globalId, body: 'ping' } }, agent.token),
        );
      }
      // Customers are told of these moves (a move with nothing for the customer is internal).
      for (const ticket of [ours, theirs]) {
        await app.gql(ChangeTicketStatusDocument, { input: { ticketId: ticket.globalId, status: 'WAITING_ON_THIRD_PARTY' as never, reason: 'Told', notifyCustomer: true } }, agent.token);
      }
      for (const subscription of heard) await subscription.waitFor(1);
      // Only gives what must not arrive a chance to show.
      await sleep(500);

      const ticketsSeen = (subscription: Subscription<unknown>) =>
        subscription.received.map((r) => (r.data as { ticketStatusChanged: { ticket: { id: string } } }).ticketStatusChanged.ticket.id);
      expect(heard.map(ticketsSeen)).toEqual([[ours.globalId], [ours.globalId], [theirs.globalId], [theirs.globalId]]);
    } finally {
      for (const client of clients) await client.dispose();
    }
  });

  it('costs the same statements for twelve subscribers of one query as for one', async () => {
    const agents = await Promise.all(Array.from({ length: 12 }, () => make.staffUser(app)));
    const clients = agents.map((a) => wsClient(app.url, a.token));
    /** Statements for one status change of a fresh ticket, until each of `subscriptions` has it. */
    const statementsFor = async (subscriptions: Subscription<unknown>[], ticketId: string) =>
      (
        await app.countStatements(async () => {
          await move(app, ticketId, TicketStatus.WAITING_ON_THIRD_PARTY, 'Waiting for the carrier');
          await Promise.all(subscriptions.map((subscription) => subscription.waitFor(1)));
        }, [agent.token])
      ).statements;
    try {
      const fields = { business: acme, status: TicketStatus.IN_PROGRESS, assignee: agent.user };
      const tickets = [await make.ticket(app, fields), await make.ticket(app, fields)];
      const alone = subscribe(clients[0], OnTicketStatusChangedWithCommentsDocument, { ticketId: tickets[0].globalId });
      await live(app, clients[0]);
      const one = await statementsFor([alone], tickets[0].globalId);

      const many = clients.map((client) => subscribe(client, OnTicketStatusChangedWithCommentsDocument, { ticketId: tickets[1].globalId }));
      for (const client of clients) await live(app, client);
      const twelve = await statementsFor(many, tickets[1].globalId);

      expect(many.every((subscription) => subscription.received.length === 1 && subscription.errors.length === 0)).toBe(true);
      expect(twelve).toBe(one);
    } finally {
      for (const client of clients) await client.dispose();
    }
  });
});

describe('nothing missed', () => {
  it('refuses a `since` that is not a timeline cursor as BAD_USER_INPUT on `since`', async () => {
    const client = wsClient(app.url, agent.token);
    // The refusal comes as a result with errors (the subscription never starts).
    const refusal = (since: string) =>
      new Promise<readonly GraphQLFormattedError[] | undefined>((resolve, reject) => {
        client.subscribe({ query: print(OnTicketEventsDocument), variables: { since } }, { next: (result) => resolve(result.errors), error: reject, complete: () => resolve(undefined) });
      });
    try {
      const otherListCursor = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 'x'])).toString('base64url');
      for (const since of ['not a cursor!', 'bm9wZQ', otherListCursor]) {
        const [error] = (await refusal(since)) ?? [];
        expect([since, error?.extensions]).toEqual([since, expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'since' })]);
      }
    } finally {
      await client.dispose();
    }
  });

  it('replays exactly the missed entries after a reconnect, then continues live without duplicates', async () => {
    const ticket = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    const filter = { ticketId: ticket.globalId };
    const first = wsClient(app.url, carol.token);
    const seen: { id: string; cursor: string; type: string }[] = [];
    try {
      const stream = subscribe(first, OnTicketEventsDocument, { filter });
      await live(app, first);
      await app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'one' } }, agent.token);
      // The ticket's CREATED, committed just before subscribing, may come first or not at all: the comment is what is awaited.
      await receivedUntil(stream, (received) => received.some((r) => r.data!.ticketEvents.type === 'COMMENTED'));
      seen.push(...stream.received.map((r) => r.data!.ticketEvents).filter((e) => e.type === 'COMMENTED'));
    } finally {
      await first.dispose();
    }

    // While the client is away: public and internal changes.
    await app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'two' } }, agent.token);
    await app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'secret', isInternal: true } }, agent.token);
    await move(app, ticket.globalId, TicketStatus.WAITING_ON_CUSTOMER, 'Which browser?');
    await app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'three' } }, agent.token);
    const expectedMissed = (
      await app.em().find(TicketEvent, { ticket: ticket.id, isInternal: false, type: { $ne: TicketEventType.CREATED } }, { orderBy: { position: 'asc' } })
    ).slice(1);

    const second = wsClient(app.url, carol.token);
    try {
      const resumed = subscribe(second, OnTicketEventsDocument, { filter, since: seen[0].cursor });
      const replayed = await resumed.waitFor(expectedMissed.length);
      expect(replayed.map((r) => r.data!.ticketEvents.id)).toEqual(expectedMissed.map((e) => e.globalId));
      expect(replayed.some((r) => r.data!.ticketEvents.isInternal)).toBe(false);
      // Live again: the customer's reply, which also hands the waiting ticket back to the team.
      await app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'four' } }, carol.token);
      const all = await resumed.waitFor(expectedMissed.length + 2);
      await sleep(300);
      const ids = resumed.received.map((r) => r.data!.ticketEvents.id);
      expect(ids).toHaveLength(expectedMissed.length + 2);
      expect(new Set(ids).size).toBe(ids.length);
      expect(all.slice(-2).map((r) => r.data!.ticketEvents.type)).toEqual(['COMMENTED', 'STATUS_CHANGED']);
    } finally {
      await second.dispose();
    }
  });

  it('publishes nothing for a change that rolled back', async () => {
    const ticket = await make.ticket(app, { business: acme });
    const client = wsClient(app.url, agent.token);
    try {
      const stream = subscribe(client, OnTicketEventsDocument, { filter: { ticketId: ticket.globalId } });
      await live(app, client);
      await expect(
        app.app.database.orm.em.fork().transactional(async (em) => {
          recordEvent(em, em.getReference(Ticket, ticket.id), { kind: 'system' }, TicketEventType.UPDATED, {});
          await em.flush();
          throw new Error('rolled back on purpose');
        }),
      ).rejects.toThrow('rolled back on purpose');
      await app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'after' } }, agent.token);
      // The comment is the end marker: one socket is ordered, so an entry of the rolled-back change would
      // have come before it. (The ticket's CREATED, committed just before subscribing, may come or not.)
      await receivedUntil(stream, (received) => received.some((r) => r.data!.ticketEvents.type === 'COMMENTED'));
      expect(stream.received.map((r) => r.data!.ticketEvents.type).filter((type) => type !== 'CREATED')).toEqual(['COMMENTED']);
    } finally {
      await client.dispose();
    }
  });
});

describe('several instances', () => {
  let redis: ChildProcess;
  let port: number;
  const startRedis = async () => {
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 50; i += 1) {
      const probe = new WebSocket(`ws://127.0.0.1:${port}`);
      const ok = await new Promise<boolean>((resolve) => {
        probe.on('error', (error: NodeJS.ErrnoException) => resolve(error.code !== 'ECONNREFUSED'));
        probe.on('open', () => resolve(true));
      });
      probe.terminate();
      if (ok) return;
      await sleep(100);
    }
  };

  beforeAll(async () => {
    port = await freePort();
    await startRedis();
  });
  afterAll(() => {
    redis.kill('SIGKILL');
  });

  it('delivers a change made on one instance to subscribers of another, also after Redis restarts', async () => {
    const env = { REDIS_URL: `redis://127.0.0.1:${port}` };
    const a = await startTestApp(env);
    const b = await startTestApp(env, a);
    const staff = await make.staffUser(a);
    const shop = await make.business(a);
    const client = wsClient(b.url, staff.token);
    try {
      const ticket = await make.ticket(a, { business: shop, status: TicketStatus.IN_PROGRESS });
      const changes = subscribe(client, OnTicketStatusChangedDocument, { ticketId: ticket.globalId });
      const warmUp = await make.ticket(a, { business: shop });
      await untilLive(subscribe(client, OnCommentAddedDocument, { ticketId: warmUp.globalId }), () =>
        a.gql(AddCommentDocument, { input: { ticketId: warmUp.globalId, body: 'ping' } }, staff.token),
      );
      await a.gql(ChangeTicketStatusDocument, { input: { ticketId: ticket.globalId, status: 'WAITING_ON_THIRD_PARTY' as never, reason: 'x' } }, staff.token);
      expect((await changes.waitFor(1))[0].data!.ticketStatusChanged.to).toBe('WAITING_ON_THIRD_PARTY');

      // Redis goes away and comes back: the instances reconnect and re-subscribe by themselves.
      redis.kill('SIGKILL');
      await once(redis, 'exit');
      await startRedis();
      // Until they have (a minute at most: a loaded machine restarts Redis slowly), changes go unheard.
      for (let attempt = 0, deadline = Date.now() + 60_000; Date.now() < deadline && changes.received.length < 2; attempt += 1) {
        const status = attempt % 2 === 0 ? 'IN_PROGRESS' : 'WAITING_ON_THIRD_PARTY';
        await a.gql(ChangeTicketStatusDocument, { input: { ticketId: ticket.globalId, status: status as never, reason: 'x' } }, staff.token);
        await changes.waitFor(2, 250).catch(() => undefined);
      }
      expect(changes.received.length).toBeGreaterThanOrEqual(2);
    } finally {
      await client.dispose();
      await b.stop();
      await a.stop();
    }
  });

  it('keeps 32 writers on two instances in commit order, lock-free: subscribers resuming from random cursors get every committed entry once, in position order, and none rolled back', async () => {
    const env = { REDIS_URL: `redis://127.0.0.1:${port}` };
    const a = await startTestApp(env);
    const b = await startTestApp(env, a);
    const instances = [a, b];
    const admin = await make.staffUser(a, Role.ADMIN);
    const shop = await make.business(a);
    const tickets = await Promise.all(Array.from({ length: 32 }, () => make.ticket(a, { business: shop, status: TicketStatus.IN_PROGRESS })));
    const seed = Date.now();
    let state = seed;
    /** A seeded generator: a failure names its seed. */
    const random = (below: number) => {
      state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
      return state % below;
    };
    const committed = async (after = '0') =>
      (await a.em().execute<{ position: string }[]>('select position::text as position from ticket_event where position > ? order by position', [after])).map((row) => row.position);
    const subscribers: { since: string; stream: Subscription<{ ticketEvents: { cursor: string } }>; client: ReturnType<typeof wsClient> }[] = [];
    const subscribeFromRandomCursor = async () => {
      const seen = await committed();
      const since = seen[random(seen.length)];
      const client = wsClient(instances[subscribers.length % 2].url, admin.token);
      subscribers.push({ since, client, stream: subscribe(client, OnTicketEventsDocument, { since: encodeCursor(['timeline', since]) }) });
    };
    const rolledBack: string[] = [];
    try {
      await Promise.all(
        tickets.map(async (ticket, writer) => {
          const on = instances[writer % 2];
          for (let step = 0; step < 6; step += 1) {
            if (writer % 8 === 0 && step === 2) await subscribeFromRandomCursor();
            if (writer % 5 === 0 && step === 3) {
              // Rolled back after taking a position: no one may hear of it.
              await on.app.database.orm.em.fork().transactional(async (em) => {
                const entry = recordEvent(em, em.getReference(Ticket, ticket.id), { kind: 'system' }, TicketEventType.UPDATED, {});
                await em.flush();
                rolledBack.push(entry.position);
                throw new Error('rolled back on purpose');
              }).catch(() => undefined);
            } else if (writer % 7 === 0 && step === 1) {
              // Takes its position early and commits late, after writers that came later.
              await on.app.database.orm.em.fork().transactional(async (em) => {
                recordEvent(em, em.getReference(Ticket, ticket.id), { kind: 'system' }, TicketEventType.UPDATED, {});
                await em.flush();
                await sleep(200 + random(200));
              });
            } else if (step % 2 === 0) {
              const status = step % 4 === 0 ? 'WAITING_ON_THIRD_PARTY' : 'IN_PROGRESS';
              const answer = await on.gql(ChangeTicketStatusDocument, { input: { ticketId: ticket.globalId, status: status as never, reason: `step ${step}` } }, admin.token);
              expect(answer.errors).toBeUndefined();
            } else {
              const answer = await on.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: `step ${step}` } }, admin.token);
              expect(answer.errors).toBeUndefined();
            }
          }
        }),
      );
      expect(rolledBack.length).toBeGreaterThan(0);
      // A last entry after all the others: a subscriber that has it has been sent everything before it
      // (one ordered socket), so a duplicate or a rolled-back entry would show by then, with no pause.
      expect((await a.gql(AddCommentDocument, { input: { ticketId: tickets[0].globalId, body: 'last' } }, admin.token)).errors).toBeUndefined();
      for (const { since, stream } of subscribers) {
        const expected = await committed(since);
        const last = expected[expected.length - 1];
        await receivedUntil(stream, (received) => received.some((result) => String(decodeCursor(result.data!.ticketEvents.cursor, 2)[1]) === last));
        const got = stream.received.map((result) => String(decodeCursor(result.data!.ticketEvents.cursor, 2)[1]));
        expect({ seed, since, got }).toEqual({ seed, since, got: expected });
        expect(got.filter((position) => rolledBack.includes(position))).toEqual([]);
      }
    } finally {
      for (const { client } of subscribers) await client.dispose();
      await b.stop();
      await a.stop();
    }
  });
});

describe('slow clients and shutdown', () => {
  const METRICS_TOKEN = 'metrics-token-0123456789';

  it('a client that stops reading does not hold back the others, and misses no ping unpunished', async () => {
    const quick = await startTestApp({ WS_KEEPALIVE_SECONDS: '1', METRICS_TOKEN });
    const staff = await make.staffUser(quick);
    const shop = await make.business(quick);
    const healthy = wsClient(quick.url, staff.token);
    const stalled = new WebSocket(quick.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    try {
      await once(stalled, 'open');
      stalled.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${staff.token}` } }));
      await once(stalled, 'message');
      stalled.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { ticketStatusChanged { eventId } }' } }));
      const stalledClosed = once(stalled, 'close');
      // Stop reading: nothing more leaves the kernel buffer, no pong is sent.
      const tcp = (stalled as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      tcp.pause();

      const ticket = await make.ticket(quick, { business: shop, status: TicketStatus.IN_PROGRESS });
      const changes = subscribe(healthy, OnTicketStatusChangedDocument, {});
      const warmUp = await make.ticket(quick, { business: shop });
      await untilLive(subscribe(healthy, OnCommentAddedDocument, { ticketId: warmUp.globalId }), () =>
        quick.gql(AddCommentDocument, { input: { ticketId: warmUp.globalId, body: 'ping' } }, staff.token),
      );
      for (let i = 0; i < 10; i += 1) {
        const status = i % 2 === 0 ? 'WAITING_ON_THIRD_PARTY' : 'IN_PROGRESS';
        await quick.gql(ChangeTicketStatusDocument, { input: { ticketId: ticket.globalId, status: status as never, reason: 'r' } }, staff.token);
      }
      expect(await changes.waitFor(10)).toHaveLength(10);
      // The stalled client misses its pings and is dropped (the server counts the healthy one alone; the
      // deadline only stops a hang): once it reads again, it finds the connection gone.
      const connections = async () => sample((await scrapeMetrics(quick, METRICS_TOKEN)).text, 'ticketgraph_websocket_connections');
      for (const deadline = Date.now() + 60_000; (await connections()) > 1 && Date.now() < deadline; ) await sleep(100);
      expect(await connections()).toBe(1);
      tcp.resume();
      await stalledClosed;
    } finally {
      await healthy.dispose();
      stalled.terminate();
      await quick.stop();
    }
  });

  it('closes sockets with 1001 on shutdown', async () => {
    const closing = await startTestApp();
    const staff = await make.staffUser(closing);
    const socket = new WebSocket(closing.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    await once(socket, 'open');
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${staff.token}` } }));
    await once(socket, 'message');
    const code = closeCode(socket);
    await closing.stop();
    expect(await code).toBe(1001);
  });
});
