import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * One worker process of `npm run bench:fanout` (forked by scripts/bench-fanout.ts): holds its share
 * of the graphql-ws clients, each with one `ticketStatusChanged` subscription, and keeps per-event
 * delivery statistics. It talks to the parent over IPC only; every request carries an `id` that the
 * answer repeats. It exits on `stop`, when the parent goes away, or when its lifetime runs out.
 */

export interface ConnectRequest {
  type: 'connect';
  /** Client i (counting from `offset` over all workers) connects to `urls[i % urls.length]`. */
  urls: string[];
  offset: number;
  clients: number;
  token: string;
  /** Connections being opened at once (handshake not done yet). */
  concurrency: number;
  /** Give up on a connection whose handshake has not finished after this long. */
  connectTimeoutMs: number;
  /** Exit by itself after this long, whatever happens. */
  lifetimeMs: number;
}

/** One planned status change: `changeTicketStatus(input: { ticketId, status: to, reason })`. */
export interface PlannedChange {
  ticketId: string;
  to: string;
  reason: string | null;
}

/**
 * Sends change i at `intervalMs × i` after the start, without waiting for earlier answers, except that
 * a change waits for the previous one on the same ticket. Answered with `fired` once all have answered.
 * With `floor`, each change is a `POST /publish { to }` to the floor server (scripts/fanout-floor.ts)
 * instead of a `changeTicketStatus`.
 */
export interface FireRequest {
  type: 'fire';
  url: string;
  floor?: boolean;
  token: string;
  intervalMs: number;
  changes: PlannedChange[];
  timeoutMs: number;
}

export type WorkerCommand = ConnectRequest | FireRequest | { type: 'poll' } | { type: 'reset' } | { type: 'stats' } | { type: 'stop' };
export type WorkerRequest = WorkerCommand & { id: number };

export interface WorkerCounts {
  /** Clients whose socket is open and acknowledged (connection_ack). */
  connected: number;
  /** Clients whose connection never got acknowledged (refused, timed out, closed). */
  failed: number;
  /** Clients that were connected and then closed. */
  dropped: number;
  /** Clients that have received at least one event: their subscription is live. Per URL index, too. */
  live: number;
  livePerUrl: number[];
  connectedPerUrl: number[];
  /** Deliveries counted since the last reset. */
  received: number;
  /** Subscriptions that ended with an error, and results carrying errors; with the first message seen. */
  errors: number;
  firstError?: string;
  /** Still opening connections. */
  connecting: boolean;
}

export interface EventStats {
  /** Deliveries per URL index (instance). */
  perUrl: number[];
  /**
   * When each delivery arrived (ms since the epoch, this machine's clock). The parent subtracts the
   * moment the change was sent, the same reference point for Ticketgraph and the floor.
   */
  receivedAt: number[];
}

export type WorkerReply =
  | { id: number; type: 'counts'; counts: WorkerCounts }
  | { id: number; type: 'stats'; counts: WorkerCounts; events: Record<string, EventStats> }
  | { id: number; type: 'ok' }
  /**
   * `sentSeconds`: from the start until the last change was sent; `sentAt`: when each change (by index) was sent, ms since
   * the epoch; `mutationMs`: each answer's time; `errors`: failed changes; `eventIds`: what the floor answered, by index
   * (Ticketgraph's are read from its database).
   */
  | { id: number; type: 'fired'; sentSeconds: number; sentAt: number[]; mutationMs: number[]; errors: string[]; eventIds: (string | null)[] };

const SUBSCRIPTION = 'subscription { ticketStatusChanged { eventId to at } }';

interface StatusChange {
  ticketStatusChanged?: { eventId: string; to: string; at: string };
}

const clients: Client[] = [];
let urlCount = 1;
let events = new Map<string, EventStats>();
const counts: WorkerCounts = {
  connected: 0,
  failed: 0,
  dropped: 0,
  live: 0,
  livePerUrl: [],
  connectedPerUrl: [],
  received: 0,
  errors: 0,
  connecting: false,
};

function noteError(message: string): void {
  counts.errors += 1;
  counts.firstError ??= message.slice(0, 300);
}

function onResult(urlIndex: number, result: { data?: StatusChange | null; errors?: readonly { message: string }[] }, state: { live: boolean }): void {
  const receivedAt = Date.now();
  if (result.errors?.length) noteError(result.errors[0].message);
  const change = result.data?.ticketStatusChanged;
  if (!change) return;
  if (!state.live) {
    state.live = true;
    counts.live += 1;
    counts.livePerUrl[urlIndex] += 1;
  }
  let stats = events.get(change.eventId);
  if (!stats) {
    stats = { perUrl: new Array<number>(urlCount).fill(0), receivedAt: [] };
    events.set(change.eventId, stats);
  }
  stats.perUrl[urlIndex] += 1;
  stats.receivedAt.push(receivedAt);
  counts.received += 1;
}

/** Opens one client and its subscription; resolves once the handshake is done or has failed. */
function open(url: string, urlIndex: number, token: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const state = { live: false, acked: false, settled: false };
    const settle = (ok: boolean) => {
      if (state.settled) return;
      state.settled = true;
      clearTimeout(timer);
      if (ok) {
        counts.connected += 1;
        counts.connectedPerUrl[urlIndex] += 1;
      } else counts.failed += 1;
      resolve();
    };
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: true,
      retryAttempts: 0,
      connectionAckWaitTimeout: timeoutMs,
      on: {
        connected: () => {
          state.acked = true;
          settle(true);
        },
        closed: (event) => {
          if (state.acked) {
            state.acked = false;
            counts.connected -= 1;
            counts.connectedPerUrl[urlIndex] -= 1;
            counts.dropped += 1;
          } else {
            const code = (event as { code?: number })?.code;
            if (!state.settled) noteError(`closed before connection_ack (code ${code ?? '?'})`);
            settle(false);
          }
        },
      },
    });
    clients.push(client);
    const timer = setTimeout(() => {
      noteError(`no connection_ack within ${timeoutMs} ms`);
      settle(false);
      void client.dispose();
    }, timeoutMs);
    client.subscribe<StatusChange>(
      { query: SUBSCRIPTION },
      {
        next: (result) => onResult(urlIndex, result, state),
        error: (error) => {
          noteError(error instanceof Error ? error.message : Array.isArray(error) ? String(error[0]?.message) : 'socket closed');
          settle(false);
        },
        complete: () => undefined,
      },
    );
  });
}

async function connectAll(request: ConnectRequest): Promise<void> {
  urlCount = request.urls.length;
  counts.livePerUrl = new Array<number>(urlCount).fill(0);
  counts.connectedPerUrl = new Array<number>(urlCount).fill(0);
  counts.connecting = true;
  let next = 0;
  const lane = async () => {
    while (next < request.clients) {
      const index = request.offset + next;
      next += 1;
      const urlIndex = index % urlCount;
      await open(request.urls[urlIndex], urlIndex, request.token, request.connectTimeoutMs);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, request.concurrency) }, lane));
  counts.connecting = false;
}

const CHANGE_STATUS = 'mutation($input: ChangeTicketStatusInput!) { changeTicketStatus(input: $input) { ticket { status } } }';

async function fire(request: FireRequest): Promise<Omit<Extract<WorkerReply, { type: 'fired' }>, 'id' | 'type'>> {
  const started = Date.now();
  const sentAt: number[] = request.changes.map(() => NaN);
  const mutationMs: number[] = [];
  const errors: string[] = [];
  const eventIds: (string | null)[] = request.changes.map(() => null);
  const previous = new Map<string, Promise<unknown>>();
  const send = async (change: PlannedChange, index: number) => {
    sentAt[index] = Date.now();
    const sent = performance.now();
    try {
      const response = await fetch(request.floor ? `${request.url}/publish` : request.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${request.token}` },
        body: JSON.stringify(
          request.floor
            ? { to: change.to }
            : { query: CHANGE_STATUS, variables: { input: { ticketId: change.ticketId, status: change.to, reason: change.reason } } },
        ),
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      const body = (await response.json()) as { errors?: { message: string }[]; eventId?: string };
      if (body.errors?.length) errors.push(body.errors[0].message);
      else mutationMs.push(performance.now() - sent);
      if (body.eventId) eventIds[index] = body.eventId;
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  };
  const all: Promise<unknown>[] = [];
  for (let i = 0; i < request.changes.length; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + i * request.intervalMs - Date.now())));
    const change = request.changes[i];
    const done = (previous.get(change.ticketId) ?? Promise.resolve()).then(() => send(change, i));
    previous.set(change.ticketId, done);
    all.push(done);
  }
  await Promise.all(all);
  return { sentSeconds: (Math.max(...sentAt) - started) / 1000, sentAt, mutationMs, errors, eventIds };
}

function reply(message: WorkerReply): void {
  process.send?.(message);
}

async function stop(): Promise<never> {
  await Promise.race([Promise.allSettled(clients.map((client) => client.dispose())), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  process.exit(0);
}

if (!process.send) {
  console.error('fanout-worker is started by bench-fanout (child_process.fork), not by hand.');
  process.exit(1);
}

process.on('disconnect', () => process.exit(0));
process.on('message', (request: WorkerRequest) => {
  switch (request.type) {
    case 'connect':
      setTimeout(() => process.exit(2), request.lifetimeMs).unref();
      void connectAll(request);
      reply({ id: request.id, type: 'ok' });
      break;
    case 'fire':
      void fire(request).then((fired) => reply({ id: request.id, type: 'fired', ...fired }));
      break;
    case 'poll':
      reply({ id: request.id, type: 'counts', counts });
      break;
    case 'reset':
      events = new Map();
      counts.received = 0;
      reply({ id: request.id, type: 'ok' });
      break;
    case 'stats':
      reply({ id: request.id, type: 'stats', counts, events: Object.fromEntries(events) });
      break;
    case 'stop':
      reply({ id: request.id, type: 'ok' });
      void stop();
      break;
  }
});
