import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult, type FormattedExecutionResult } from 'graphql';
import type { Context } from '../../context';
import { AppError, unauthenticated } from '../../shared/errors';
import { accessClassOf } from '../users/auth/access';
import { SlicedFanOut } from './sliced-fan-out';

/** Where a subscription's messages go: the subscriber's `ws` WebSocket. */
export interface Socket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
}

/** `WebSocket.OPEN`. */
const OPEN = 1;

/**
 * Bytes a socket may hold unsent before its subscriptions are ended with RATE_LIMITED, if none of it
 * has gone out since the last message was written: its client has stopped reading (a few thousand
 * messages of a usual size); the missed ping drops it soon after. A client still reading a large
 * message (a ticket with a long conversation) has less unsent than just after that write, and goes on.
 */
export const MAX_BUFFERED_BYTES = 512 * 1024;

/**
 * Frames a turn of the event loop may write (one socket each; a frame is a pre-built string, so this
 * is a `send` and little else), and subscribers it may pass over in all (ended ones, the end of a stream).
 */
export const LIMITS_PER_TURN = { deliveries: 64, offers: 256 };

/**
 * Marks a source stream whose events depend on nothing but the subscription's arguments and its
 * subscriber's access class (a timeline feed): subscribers with the same share key may then share one
 * such stream, instead of each opening its own.
 */
export const SHARED_BY_ACCESS_CLASS = Symbol('shared by access class');

function sharedByAccessClass(stream: AsyncIterable<unknown>): boolean {
  return (stream as { [SHARED_BY_ACCESS_CLASS]?: boolean })[SHARED_BY_ACCESS_CLASS] === true;
}

let documentCount = 0;
const documentIds = new WeakMap<DocumentNode, number>();

function documentId(document: DocumentNode): number {
  let id = documentIds.get(document);
  if (id === undefined) {
    id = ++documentCount;
    documentIds.set(document, id);
  }
  return id;
}

/**
 * Subscribers whose results are bound to be identical: the same document (parsed once per query text,
 * see server/documents.ts), operation and variables, read by actors of one access class.
 */
function shareKeyOf(args: ExecutionArgs): string {
  const ctx = args.contextValue as Context;
  return [accessClassOf(ctx.actor), documentId(args.document), args.operationName ?? '', JSON.stringify(args.variableValues ?? {})].join('\n');
}

/** One subscription of a socket, under its graphql-ws id. */
export interface Subscriber {
  socket: Socket;
  id: string;
  /** When its session runs out (ms since the epoch): it then ends with UNAUTHENTICATED. */
  expiresAt?: number;
}

/** What the fan-out hands to a group's members: a message's payload (JSON), or the end of the stream. */
type Delivery = { group: Group; payload: string } | { group: Group; end: Error | null };

/**
 * Subscribers sharing one source stream: those of one share key when the stream is shared by access
 * class, otherwise one subscriber alone.
 */
class Group {
  readonly members = new Set<Member>();
  closed = false;

  constructor(
    readonly key: string,
    /** Whether other subscribers of the key may join. */
    readonly joinable: boolean,
    readonly args: ExecutionArgs,
    readonly source: AsyncIterator<unknown>,
  ) {}
}

/**
 * One subscriber in a group. To graphql-ws it is the subscription's result stream, one that yields
 * nothing: its messages are written to the socket by the fan-out, and its `next()` settles only when
 * the subscription ends, so graphql-ws then sends `complete` (or `error`) as usual, after them.
 */
class Member implements AsyncIterableIterator<ExecutionResult> {
  /** graphql-ws's `next` message for this subscription up to its payload (as its `stringifyMessage` writes it). */
  private readonly prefix: string;
  /** The socket's unsent bytes just after this subscriber's last write. */
  private bufferedAfterWrite = 0;
  private outcome?: { error: Error | null };
  private waiting?: { resolve(result: IteratorResult<ExecutionResult>): void; reject(error: Error): void };

  constructor(
    private readonly groups: SharedSubscriptions,
    readonly group: Group,
    private readonly subscriber: Subscriber,
  ) {
    this.prefix = `{"id":${JSON.stringify(subscriber.id)},"type":"next","payload":`;
  }

  /** Writes one message; false when it was not written (this subscription ended, now or before). */
  send(payload: string): boolean {
    if (this.outcome) return false;
    const { socket, expiresAt } = this.subscriber;
    if (expiresAt !== undefined && Date.now() >= expiresAt) {
      this.end(unauthenticated('The session has expired; log in again.'));
      return false;
    }
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES && socket.bufferedAmount >= this.bufferedAfterWrite) {
      this.end(new AppError('RATE_LIMITED', 'This subscription fell behind (its client stopped reading) and was ended; subscribe again (with `since` to catch up).'));
      return false;
    }
    // Closing: graphql-ws ends its subscriptions (return()) once it has closed.
    if (socket.readyState !== OPEN) return false;
    socket.send(this.prefix + payload + '}');
    this.bufferedAfterWrite = socket.bufferedAmount;
    return true;
  }

  /** Ends the subscription: with an error graphql-ws sends as `error`, or (null) with `complete`. */
  end(error: Error | null): void {
    if (this.outcome) return;
    this.outcome = { error };
    this.groups.leave(this);
    if (this.waiting) this.settle(this.waiting);
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    return new Promise((resolve, reject) => {
      if (this.outcome) this.settle({ resolve, reject });
      else this.waiting = { resolve, reject };
    });
  }

  /** graphql-ws's: the client completed the subscription, or its socket closed. */
  return(): Promise<IteratorResult<ExecutionResult>> {
    this.end(null);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private settle(waiting: NonNullable<Member['waiting']>): void {
    this.waiting = undefined;
    const error = this.outcome!.error;
    if (error) {
      // Thrown once: graphql-ws sends it as `error`, and the stream is done after it.
      this.outcome = { error: null };
      waiting.reject(error);
    } else {
      waiting.resolve({ value: undefined, done: true });
    }
  }
}

/**
 * graphql-ws's `subscribe` (see server/ws.ts), built so that a change costs per subscriber one frame
 * written to its socket, and everything else once per group of subscribers bound to get the same
 * result: the same document, operation and variables read by one access class (the share key).
 *
 * - Subscribers of one share key whose stream is shared by access class (timeline feeds: see
 *   SHARED_BY_ACCESS_CLASS) join one group with one source stream: the first one's subscribe opens
 *   it, the others join without opening theirs, so the hub offers each entry to one feed per group, and
 *   the access check and filter run once per group. Other streams (notifications, presence, views, a
 *   replay from a cursor) make a group of one.
 * - Each event of a group's stream is executed once per payload object and share key (in a freshened
 *   context of the group's first subscriber), formatted (`format`: errors as on HTTP, `extensions.cost`)
 *   and serialized once. Payload objects shared between streams (perEntry, presence snapshots) share
 *   that work between groups too.
 * - Every member is then written graphql-ws's `next` message, exactly as graphql-ws writes it, but
 *   from a pre-built string and without a promise per subscriber; a bounded number of writes per turn
 *   of the event loop (SlicedFanOut), so requests are served between slices. Each subscriber gets its
 *   messages in order, and `complete`/`error` after them, through graphql-ws.
 */
export class SharedSubscriptions {
  /** Open groups that subscribers of their share key may join. */
  private readonly open = new Map<string, Group>();
  /** Streams being opened, by share key: a subscriber of the key that comes meanwhile waits to join. */
  private readonly opening = new Map<string, Promise<Group | undefined>>();
  /** Serialized payload per payload object and share key. */
  private readonly payloads = new WeakMap<object, Map<string, Promise<string>>>();
  private readonly fanOut: SlicedFanOut<Delivery, Member>;

  constructor(
    /** The result as sent: graphql-ws's `onNext` of the server (errors presented, cost added). */
    private readonly format: (args: ExecutionArgs, result: ExecutionResult) => FormattedExecutionResult,
    schedule?: (turn: () => void) => void,
    limits = LIMITS_PER_TURN,
  ) {
    this.fanOut = new SlicedFanOut<Delivery, Member>(
      (delivery) => [...delivery.group.members],
      (member, delivery) => {
        if ('end' in delivery) {
          member.end(delivery.end);
          return false;
        }
        return member.send(delivery.payload);
      },
      schedule,
      limits,
    );
  }

  async subscribe(args: ExecutionArgs, subscriber: Subscriber): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
    const key = shareKeyOf(args);
    const opening = this.opening.get(key);
    let group = this.open.get(key) ?? (opening && (await opening));
    // None, or one whose stream has just ended: this subscriber opens its own.
    if (!group || group.closed) {
      const started = await this.start(key, args);
      if (!(started instanceof Group)) return started;
      group = started;
    }
    const member = new Member(this, group, subscriber);
    group.members.add(member);
    return member;
  }

  /** A member ended: the last one out closes its group's stream. */
  leave(member: Member): void {
    const { group } = member;
    group.members.delete(member);
    if (group.members.size === 0) this.close(group);
  }

  /** Opens a stream for `args`: its group (joinable when the stream is shared by access class), or the errors that refused it. */
  private start(key: string, args: ExecutionArgs): Promise<Group | ExecutionResult> {
    const started = (async () => {
      const stream = await createSourceEventStream(args);
      if (!(Symbol.asyncIterator in stream)) return stream as ExecutionResult;
      const group = new Group(key, sharedByAccessClass(stream), args, stream[Symbol.asyncIterator]());
      if (group.joinable) this.open.set(key, group);
      void this.run(group);
      return group;
    })();
    if (!this.opening.has(key)) {
      const opening = started
        .then(
          (group) => (group instanceof Group && group.joinable ? group : undefined),
          () => undefined,
        )
        .finally(() => this.opening.delete(key));
      this.opening.set(key, opening);
    }
    return started;
  }

  private async run(group: Group): Promise<void> {
    let end: Error | null = null;
    try {
      for (;;) {
        const next = await group.source.next();
        if (next.done) break;
        this.fanOut.push({ group, payload: await this.payloadOf(group, next.value) });
      }
    } catch (error) {
      end = error instanceof Error ? error : new Error(String(error));
    }
    this.close(group);
    // After the messages already handed out, as graphql-ws would have sent them.
    this.fanOut.push({ group, end });
  }

  private close(group: Group): void {
    if (group.closed) return;
    group.closed = true;
    if (this.open.get(group.key) === group) this.open.delete(group.key);
    void group.source.return?.();
  }

  private payloadOf(group: Group, payload: unknown): Promise<string> {
    const serialize = async () => {
      (group.args.contextValue as Context).freshen();
      const result = await execute({ ...group.args, rootValue: payload });
      return JSON.stringify(this.format(group.args, result));
    };
    if (typeof payload !== 'object' || payload === null) return serialize();
    let byKey = this.payloads.get(payload);
    if (!byKey) this.payloads.set(payload, (byKey = new Map()));
    let serialized = byKey.get(group.key);
    if (!serialized) byKey.set(group.key, (serialized = serialize()));
    return serialized;
  }
}
