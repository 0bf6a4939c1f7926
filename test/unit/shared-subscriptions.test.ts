import { Repeater } from '@graphql-yoga/subscription';
import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString, parse, type DocumentNode, type ExecutionResult } from 'graphql';
import { MessageType, stringifyMessage } from 'graphql-ws';
import type { Context } from '../../src/context';
import { MAX_BUFFERED_BYTES, SharedSubscriptions, type Socket, type Subscriber } from '../../src/modules/realtime/shared-subscriptions';
import { TimelineFeed } from '../../src/modules/realtime/timeline-feed';
import type { LoadedEntry } from '../../src/modules/realtime/timeline-hub';
import type { Actor } from '../../src/modules/users/auth/actor';
import { ACTORS, OTHER_BUSINESS, OWN_BUSINESS } from './actors';

/** What the test's streams carry: a change to a ticket of a business. */
interface Change {
  n: number;
  businessId: string;
}

/** Sockets are driven by hand: what was written, and how much the client has not read (`bufferedAmount`). */
class TestSocket implements Socket {
  static writes = 0;
  readyState = 1;
  bufferedAmount = 0;
  /** Bytes each write leaves unsent (a large message on a slow link). */
  unsentPerWrite = 0;
  readonly sent: string[] = [];
  send(data: string): void {
    TestSocket.writes += 1;
    this.sent.push(data);
    this.bufferedAmount += this.unsentPerWrite;
  }
}

const otherCustomer: Actor = { ...ACTORS.customer, id: 'contact-2', businessId: OTHER_BUSINESS };
const customerSees = (actor: Actor, change: Change) => actor.kind !== 'contact' || actor.businessId === change.businessId;

/**
 * A schema with two subscriptions: `changes` is a timeline feed (shared by access class), whose select
 * keeps what the viewer may see (customers: their business's changes) from `min` on; `personal` is a
 * stream of its own per subscriber (as notifications are). The turns of the fan-out are run by hand, so
 * what one turn of the event loop does is counted, not timed.
 */
function harness(limits = { deliveries: 64, offers: 256 }) {
  const counts = { opened: 0, executions: 0 };
  const feeds = new Set<TimelineFeed<Change>>();
  const personal = new Set<(change: Change) => Promise<unknown>>();
  const ChangeType = new GraphQLObjectType<Change, Context>({
    name: 'Change',
    fields: { n: { type: GraphQLInt }, business: { type: GraphQLString, resolve: (change) => change.businessId } },
  });
  const resolve = (change: unknown) => {
    counts.executions += 1;
    return change;
  };
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLInt } } }),
    subscription: new GraphQLObjectType<unknown, Context>({
      name: 'Subscription',
      fields: {
        changes: {
          type: ChangeType,
          args: { min: { type: GraphQLInt } },
          subscribe: (_root, args: { min?: number }, ctx) => {
            counts.opened += 1;
            const feed: TimelineFeed<Change> = new TimelineFeed(
              (entry) => {
                const change = entry as unknown as Change;
                return customerSees(ctx.actor, change) && change.n >= (args.min ?? 0) ? change : null;
              },
              () => feeds.delete(feed),
            );
            feeds.add(feed);
            return feed;
          },
          resolve,
        },
        personal: {
          type: ChangeType,
          subscribe: () => {
            counts.opened += 1;
            return new Repeater<Change>((push, stop) => {
              personal.add(push);
              void stop.then(() => personal.delete(push));
            });
          },
          resolve,
        },
      },
    }),
  });
  const documents = new Map<string, DocumentNode>();
  const documentOf = (query: string) => documents.get(query) ?? documents.set(query, parse(query)).get(query)!;

  const turns: (() => void)[] = [];
  const shared = new SharedSubscriptions(
    (_args, { errors, ...result }) => ({ ...result, ...(errors && { errors: errors.map((error) => error.toJSON()) }) }),
    (turn) => turns.push(turn),
    limits,
  );
  let ids = 0;

  /** Subscribes as graphql-ws would, and waits for the end as its `for await` does: 'complete' or the error. */
  async function subscribe(actor: Actor, query = '{ changes { n business } }', variables: Record<string, unknown> = {}, expiresAt?: number) {
    const subscriber: Subscriber & { socket: TestSocket } = { socket: new TestSocket(), id: `sub-${++ids}`, expiresAt };
    const contextValue = { actor, expiresAt, freshen: () => undefined } as unknown as Context;
    const stream = (await shared.subscribe({ schema, document: documentOf(`subscription ${query}`), variableValues: variables, contextValue }, subscriber)) as AsyncIterableIterator<ExecutionResult>;
    const ended = (async () => {
      try {
        for await (const result of stream) throw new Error(`a member yielded ${JSON.stringify(result)}`);
        return 'complete';
      } catch (error) {
        return error as Error;
      }
    })();
    let endedAfter: number | undefined;
    void ended.then(() => (endedAfter = subscriber.socket.sent.length));
    return Object.assign(subscriber, { stream, ended, sentBeforeEnd: () => endedAfter });
  }

  /** Lets promises settle and runs the fan-out's turns until nothing is left; the writes of each turn. */
  async function settle(): Promise<number[]> {
    const writes: number[] = [];
    for (let quiet = 0; quiet < 2; ) {
      await new Promise((resolve) => setImmediate(resolve));
      if (turns.length === 0) quiet += 1;
      while (turns.length > 0) {
        const before = TestSocket.writes;
        turns.shift()!();
        writes.push(TestSocket.writes - before);
      }
    }
    return writes;
  }

  const offer = (change: Change) => {
    for (const feed of feeds) feed.offer(change as unknown as LoadedEntry);
  };
  return { counts, feeds, personal, subscribe, settle, offer };
}

/** graphql-ws's own `next` message for a subscription. */
const next = (id: string, change: Change) =>
  stringifyMessage({ id, type: MessageType.Next, payload: { data: { changes: { n: change.n, business: change.businessId } } } });

describe('SharedSubscriptions', () => {
  it('opens one stream and executes once per query, variables and access class, and writes each subscriber graphql-ws’s next message', async () => {
    const { counts, feeds, subscribe, settle, offer } = harness();
    const agents = await Promise.all(Array.from({ length: 300 }, () => subscribe(ACTORS.agent)));
    const own = await Promise.all(Array.from({ length: 200 }, () => subscribe(ACTORS.customer)));
    const other = await Promise.all(Array.from({ length: 100 }, () => subscribe(otherCustomer)));
    const fromFive = await subscribe(ACTORS.admin, '($min: Int) { changes(min: $min) { n business } }', { min: 5 });
    // Agents, each business's customers, the admin's query: four groups, four feeds.
    expect(counts.opened).toBe(4);
    expect(feeds.size).toBe(4);

    const first = { n: 1, businessId: OWN_BUSINESS };
    offer(first);
    await settle();
    // For the agents and the customers of its business; the other business's customers and `min: 5` pass.
    expect(counts.executions).toBe(2);
    for (const s of [...agents, ...own]) expect(s.socket.sent).toEqual([next(s.id, first)]);
    for (const s of [...other, fromFive]) expect(s.socket.sent).toEqual([]);

    const second = { n: 7, businessId: OTHER_BUSINESS };
    offer(second);
    await settle();
    expect(counts.executions).toBe(5);
    for (const s of agents) expect(s.socket.sent).toEqual([next(s.id, first), next(s.id, second)]);
    for (const s of own) expect(s.socket.sent).toEqual([next(s.id, first)]);
    for (const s of [...other, fromFive]) expect(s.socket.sent).toEqual([next(s.id, second)]);
  });

  it('lets subscribers who come while the first one’s stream is being opened join it', async () => {
    const { counts, feeds, subscribe, settle, offer } = harness();
    const together = await Promise.all([subscribe(ACTORS.agent), subscribe(ACTORS.agent), subscribe(ACTORS.agent)]);
    expect([counts.opened, feeds.size]).toEqual([1, 1]);
    offer({ n: 1, businessId: OWN_BUSINESS });
    await settle();
    for (const s of together) expect(s.socket.sent).toHaveLength(1);
  });

  it('writes at most `deliveries` frames a turn, however many subscribers', async () => {
    const { subscribe, settle, offer } = harness({ deliveries: 100, offers: 400 });
    const agents = await Promise.all(Array.from({ length: 1_000 }, () => subscribe(ACTORS.agent)));
    offer({ n: 1, businessId: OWN_BUSINESS });
    offer({ n: 2, businessId: OWN_BUSINESS });
    const writes = await settle();
    expect(writes).toEqual(Array(20).fill(100));
    for (const s of agents) expect(s.socket.sent).toHaveLength(2);
  });

  it('ends a subscriber whose client stopped reading (RATE_LIMITED) or whose session expired (UNAUTHENTICATED), after what it was sent; the others go on', async () => {
    const { feeds, subscribe, settle, offer } = harness();
    const [reading, stalled, expiring] = await Promise.all([
      subscribe(ACTORS.agent),
      subscribe(ACTORS.agent),
      subscribe(ACTORS.agent, undefined, {}, Date.now() + 60_000),
    ]);
    offer({ n: 1, businessId: OWN_BUSINESS });
    await settle();
    stalled.socket.bufferedAmount = MAX_BUFFERED_BYTES + 1;
    expiring.expiresAt = Date.now() - 1;
    offer({ n: 2, businessId: OWN_BUSINESS });
    await settle();

    expect(await stalled.ended).toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    expect(await expiring.ended).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect([stalled.socket.sent.length, expiring.socket.sent.length]).toEqual([1, 1]);
    expect(reading.socket.sent).toHaveLength(2);

    // The last one out (graphql-ws calls return() on `complete` or a closed socket) closes the shared feed.
    await reading.stream.return!();
    expect(await reading.ended).toBe('complete');
    expect(feeds.size).toBe(0);
  });

  it('keeps a subscriber whose client is still reading a large message, and ends it once nothing goes out any more', async () => {
    const { subscribe, settle, offer } = harness();
    const slow = await subscribe(ACTORS.agent);
    slow.socket.unsentPerWrite = 2 * MAX_BUFFERED_BYTES;
    offer({ n: 1, businessId: OWN_BUSINESS });
    await settle();
    // Over the limit, but part of it has gone out since the write: the client reads.
    slow.socket.bufferedAmount = MAX_BUFFERED_BYTES + 100;
    offer({ n: 2, businessId: OWN_BUSINESS });
    await settle();
    expect(slow.socket.sent).toHaveLength(2);
    // Nothing has gone out since: it stopped reading.
    offer({ n: 3, businessId: OWN_BUSINESS });
    await settle();
    expect(await slow.ended).toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    expect(slow.socket.sent).toHaveLength(2);
  });

  it('completes every subscriber when the shared stream ends, after the messages before it', async () => {
    const { feeds, subscribe, settle, offer } = harness({ deliveries: 10, offers: 40 });
    const agents = await Promise.all(Array.from({ length: 50 }, () => subscribe(ACTORS.agent)));
    offer({ n: 1, businessId: OWN_BUSINESS });
    for (const feed of feeds) void feed.return();
    await settle();
    for (const s of agents) {
      expect(await s.ended).toBe('complete');
      expect(s.sentBeforeEnd()).toBe(1);
    }
  });

  it('opens a stream per subscriber when it is not shared by access class, and still executes a payload they share once', async () => {
    const { counts, personal, subscribe, settle } = harness();
    const mine = await Promise.all([subscribe(ACTORS.agent, '{ personal { n } }'), subscribe(ACTORS.agent, '{ personal { n } }')]);
    expect(counts.opened).toBe(2);
    const snapshot = { n: 3, businessId: OWN_BUSINESS };
    await Promise.all([...personal].map((push) => push(snapshot)));
    await settle();
    expect(counts.executions).toBe(1);
    for (const s of mine) expect(s.socket.sent).toEqual([stringifyMessage({ id: s.id, type: MessageType.Next, payload: { data: { personal: { n: 3 } } } })]);
  });
});
