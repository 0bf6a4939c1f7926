import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, NoSchemaIntrospectionCustomRule, specifiedRules, type ExecutionArgs, type ExecutionResult, type FormattedExecutionResult, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Config } from '../config';
import { createContext, type AppDeps, type Context } from '../context';
import { SharedSubscriptions, type Subscriber } from '../modules/realtime/shared-subscriptions';
import { ANONYMOUS, type Actor } from '../modules/users/auth/actor';
import { AccessSockets, closeAt } from './access-sockets';
import { documentCache } from './documents';
import { formatError, withoutSuggestions } from './errors';
import { prepareOperation, type OperationCost } from './limits/operation';

/** Close code 1001: the server is going away. */
const GOING_AWAY = 1001;
/** Close code of a `connection_init` refused because its address's anonymous budget is spent (as HTTP's 429). */
const TOO_MANY_REQUESTS = 4429;

function authorizationOf(params: Record<string, unknown> | undefined): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : undefined;
}

/** The client's address as express gives it for HTTP (`req.ip`): behind a trusted proxy, the first X-Forwarded-For entry. */
function clientAddressOf(request: http.IncomingMessage, trustProxy: boolean): string {
  const forwarded = request.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return (trustProxy && first) || request.socket.remoteAddress || 'unknown';
}

/**
 * graphql-ws on the HTTP server's `/graphql`. The `connection_init` payload carries
 * `{ authorization: "Bearer …" }`: a bad token closes the socket with 4403 and is charged to the
 * address's anonymous rate-limit budget (beyond it the close is 4429), no init within 3 s with
 * 4408 (graphql-ws), and the socket closes with 4403 when the session token runs out, or when its
 * session, account or API key is revoked (on whichever instance: see RevocationBus). Each
 * connection may hold `wsMaxSubscriptions` subscriptions; every `wsKeepAliveSeconds` the server pings
 * each socket and drops one that has not answered by then (graphql-ws's keep-alive). Subscriptions
 * run through SharedSubscriptions (graphql-ws's `subscribe`): subscribers with the same query,
 * variables and access share its parsing, validation, execution and serialized message, and a
 * timeline feed's source stream too (other streams run one per subscriber); each is written
 * graphql-ws's own `next` frames; a client that stops reading holds back
 * only itself, its subscriptions ending once MAX_BUFFERED_BYTES wait for it (or the missed ping drops it).
 * Every subscribe message is charged to the connection's rate-limit budget (the one its HTTP
 * requests use) and held to the query limits of HTTP; results carry `extensions.cost`.
 */
export function createWebSocketServer(server: http.Server, schema: GraphQLSchema, deps: AppDeps, config: Config) {
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const documents = documentCache(config.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule]);
  // Errors of execution (they have a path) are presented as on HTTP, so no internals leak; errors of
  // the request itself (validation, variables) pass as they are, without suggestions while
  // introspection is off.
  const format = formatError(deps.logger, { hideSuggestions: !config.introspection });
  const present = (errors: readonly GraphQLError[]) =>
    errors.map((error) => {
      if (error.path) return format(error.toJSON(), error);
      return config.introspection ? error.toJSON() : { ...error.toJSON(), message: withoutSuggestions(error.message) };
    });
  const access = new AccessSockets();
  const stopListening = deps.revocations.listen((revocation) => access.revoke(revocation));
  /** Who each connection is, for its rate-limit budget: a subscribe message costs as much as an HTTP request. */
  const actors = new WeakMap<object, { actor: Actor; address: string }>();
  /** Accepted connections and their running subscriptions, for the metrics. */
  const open = new Set<{ subscriptions: Record<string, unknown> }>();
  /** The cost of each running operation, sent in `extensions.cost` of its results. */
  const costs = new WeakMap<ExecutionArgs, OperationCost>();
  /** Where each subscription's messages go: its socket and graphql-ws id. */
  const subscribers = new WeakMap<ExecutionArgs, Subscriber>();
  /** Each result carries its operation's cost; its errors are presented as on HTTP. */
  const asSent = (args: ExecutionArgs, { errors, ...result }: ExecutionResult): FormattedExecutionResult => {
    const cost = costs.get(args);
    return {
      ...result,
      ...(errors && { errors: present(errors) }),
      ...(cost !== undefined && { extensions: { ...result.extensions, cost } }),
    };
  };
  const shared = new SharedSubscriptions(asSent);
  const handle = useServer<Record<string, unknown>, { socket: WebSocket; request: http.IncomingMessage }>(
    {
      schema,
      subscribe: (args) => shared.subscribe(args, { ...subscribers.get(args)!, expiresAt: (args.contextValue as Context).expiresAt }),
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        const address = clientAddressOf(ctx.extra.request, config.trustProxy);
        let context;
        try {
          context = await createContext(deps, authorizationOf(ctx.connectionParams), address);
        } catch {
          // As on HTTP, a refused credential is charged to its address's anonymous budget, so
          // guessing tokens or keys over sockets is throttled too; beyond it the close says so.
          const { refusal } = await deps.rateLimits.charge(ANONYMOUS, address, false);
          if (refusal) socket.close(TOO_MANY_REQUESTS, 'Too many requests');
          return false;
        }
        actors.set(ctx, { actor: context.actor, address });
        if (context.expiresAt !== undefined) closeAt(socket, context.expiresAt, 'Session expired');
        access.add(socket, context.principals);
        open.add(ctx);
        return true;
      },
      onClose: (ctx) => {
        open.delete(ctx);
      },
      onSubscribe: async (ctx, id, payload) => {
        // graphql-ws has already registered this one, so it is counted too.
        const active = Object.keys(ctx.subscriptions).length;
        if (active > config.wsMaxSubscriptions) {
          return [
            new GraphQLError(`At most ${config.wsMaxSubscriptions} subscriptions per connection.`, {
              extensions: { code: 'RATE_LIMITED' },
            }),
          ];
        }
        const who = actors.get(ctx);
        if (who) {
          const { refusal } = await deps.rateLimits.charge(who.actor, who.address, false);
          if (refusal) return [refusal];
        }
        const prepared = prepareOperation(schema, documents, payload, config.queryLimits);
        if ('errors' in prepared) return [...prepared.errors];
        if (prepared.cost !== undefined) costs.set(prepared.args, prepared.cost);
        subscribers.set(prepared.args, { socket: ctx.extra.socket, id });
        return prepared.args;
      },
      context: (ctx) => createContext(deps, authorizationOf(ctx.connectionParams), clientAddressOf(ctx.extra.request, config.trustProxy)),
      onError: (_ctx, _id, _payload, errors) => present(errors),
      // Queries and mutations sent over the socket, and refusals; subscriptions' messages are written by `shared`.
      onNext: (_ctx, _id, _payload, args, result) => asSent(args, result),
    },
    wss,
    // graphql-ws's own keep-alive: it pings each socket every period (from its own connection time, so
    // 10,000 sockets are not pinged in one burst) and terminates one that has not answered within the
    // period. Left at its default (12 s) beside a heartbeat of our own, every socket was pinged twice.
    config.wsKeepAliveSeconds * 1000,
  );

  const drainPlugin: ApolloServerPlugin = {
    async serverWillStart() {
      return {
        async drainServer() {
          stopListening();
          for (const client of wss.clients) client.close(GOING_AWAY, 'Server shutting down');
          await handle.dispose();
          await new Promise<void>((resolve) => wss.close(() => resolve()));
        },
      };
    },
  };
  /** Open WebSocket connections (accepted or not yet), and subscriptions running on accepted ones. */
  const counts = () => ({
    connections: wss.clients.size,
    subscriptions: [...open].reduce((sum, ctx) => sum + Object.keys(ctx.subscriptions).length, 0),
  });
  return { wss, drainPlugin, counts };
}
