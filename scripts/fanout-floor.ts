import { createPubSub } from '@graphql-yoga/subscription';
import { GraphQLBoolean, GraphQLID, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { fork } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import { WebSocketServer } from 'ws';

/**
 * The floor of `npm run bench:fanout`: a bare graphql-ws server (graphql-ws's own `useServer`, the
 * default graphql-js `subscribe`, one execution per subscriber) with a trivial schema, in a process
 * of its own, no authentication, no database. It serves the subscription the bench's clients send,
 * `subscription { ticketStatusChanged { eventId to at } }`, with a payload of the same shape, so what
 * Ticketgraph adds on top of pushing frames to sockets shows as the ratio of the two runs.
 * `POST /publish` with `{ "to": … }` publishes one change (its `at` is now) and answers its `eventId`.
 */

export interface FloorServer {
  /** http://127.0.0.1:port: the WebSocket endpoint is `/graphql`, the trigger `/publish`. */
  url: string;
  stop(): Promise<void>;
}

type FromFloor = { type: 'ready'; port: number };

interface Change {
  eventId: string;
  to: string;
  at: string;
}

/** Starts the floor in a forked process; resolves once it listens. */
export function startFloorProcess(): Promise<FloorServer> {
  const child = fork(__filename, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return new Promise((resolve, reject) => {
    void exited.then(() => reject(new Error(`the floor server exited with code ${child.exitCode}`)));
    child.once('message', (message: FromFloor) => resolve({ url: `http://127.0.0.1:${message.port}`, stop }));
  });
}

function serve(): void {
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  const pubSub = createPubSub<{ CHANGE: [Change] }>({ eventTarget });
  const ChangeType = new GraphQLObjectType({
    name: 'TicketStatusChange',
    fields: { eventId: { type: new GraphQLNonNull(GraphQLID) }, to: { type: new GraphQLNonNull(GraphQLString) }, at: { type: new GraphQLNonNull(GraphQLString) } },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean, resolve: () => true } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: { ticketStatusChanged: { type: new GraphQLNonNull(ChangeType), subscribe: () => pubSub.subscribe('CHANGE'), resolve: (change: Change) => change } },
    }),
  });

  let published = 0;
  const server = http.createServer((request, response) => {
    if (request.method !== 'POST' || request.url !== '/publish') {
      response.writeHead(404).end();
      return;
    }
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { to } = JSON.parse(body) as { to: string };
      published += 1;
      // Shaped as Ticketgraph's global ids (type and a 36-character key), so the frames are of the same size.
      const change: Change = { eventId: Buffer.from(`TicketEvent:${String(published).padStart(36, '0')}`).toString('base64'), to, at: new Date().toISOString() };
      pubSub.publish('CHANGE', change);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ eventId: change.eventId }));
    });
  });
  // Its loop is held for seconds at a time by a fan-out: an idle keep-alive connection timed out meanwhile
  // would be closed just as the driver sends the next publish on it ("fetch failed"). Keep them open.
  server.keepAliveTimeout = 0;
  useServer({ schema }, new WebSocketServer({ server, path: '/graphql' }));
  server.listen(0, '127.0.0.1', () => process.send!({ type: 'ready', port: (server.address() as { port: number }).port } satisfies FromFloor));
  process.on('SIGTERM', () => process.exit(0));
  process.on('disconnect', () => process.exit(0));
}

if (require.main === module) serve();
