import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type http from 'node:http';
import { WebSocketServer } from 'ws';
import { createContext, type AppDeps } from '../context';

/** Close code for "going away": the server is shutting down; clients should reconnect elsewhere. */
const GOING_AWAY = 1001;

function authorizationOf(params: Record<string, unknown> | undefined): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === 'string' ? value : undefined;
}

/**
 * graphql-ws on the HTTP server's `/graphql`. The `connection_init` payload carries
 * `{ authorization: "Bearer …" }`; a bad token closes the socket with 4403 (Forbidden).
 * Each operation gets a fresh context (its own ORM fork and loaders).
 */
export function createWebSocketServer(server: http.Server, schema: GraphQLSchema, deps: AppDeps) {
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const handle = useServer(
    {
      schema,
      onConnect: async (ctx) => {
        try {
          await createContext(deps, authorizationOf(ctx.connectionParams));
          return true;
        } catch {
          return false;
        }
      },
      context: (ctx) => createContext(deps, authorizationOf(ctx.connectionParams)),
    },
    wss,
  );

  const drainPlugin: ApolloServerPlugin = {
    async serverWillStart() {
      return {
        async drainServer() {
          for (const client of wss.clients) client.close(GOING_AWAY, 'Server shutting down');
          await handle.dispose();
          await new Promise<void>((resolve) => wss.close(() => resolve()));
        },
      };
    },
  };
  return { wss, drainPlugin };
}
