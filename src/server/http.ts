import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import http from 'node:http';
import type { Config } from '../config';
import type { AppDeps, Context } from '../context';
import { inboundEmailRouter } from '../modules/intake/email/inbound-email.router';
import { customerMailRouter } from '../modules/mail/customer-mail.router';
import { formatError } from './errors';
import { createHealthCheck } from './health';
import { httpContext } from './http-context';
import { errorsAsJson, notFoundAsJson } from './json-answers';
import { queryCostPlugin } from './limits/cost-plugin';
import { dropLateAnswer, requestDeadline, resolveBeforeDeadline, timeLimitStatus } from './time-limits';
import { createWebSocketServer } from './ws';

export interface HttpServer {
  server: http.Server;
  port: number;
  stop(): Promise<void>;
}

/** Largest request body accepted: a GraphQL document with its variables, never a file upload. */
const BODY_LIMIT = '1mb';

/**
 * HTTP and WebSocket on one port: `POST/GET /graphql` (Apollo), WebSocket subscriptions on the same
 * path (graphql-ws), `GET /healthz`, the pages behind customer mail's links under `/mail/`, and `POST /inbound/email` when INBOUND_EMAIL_SECRET is set. `stop()` closes sockets (1001), drains HTTP, then returns.
 * Every answer is JSON: a bad body, any other path and any failure too (see json-answers.ts).
 */
export async function startHttpServer(deps: AppDeps, schema: GraphQLSchema, config: Config, mailLinkKey: Buffer): Promise<HttpServer> {
  const app = express();
  app.set('trust proxy', config.trustProxy);
  const server = http.createServer(app);
  const ws = createWebSocketServer(server, schema, deps, config);

  const apollo = new ApolloServer<Context>({
    schema,
    formatError: formatError(deps.logger, { hideSuggestions: !config.introspection }),
    includeStacktraceInErrorResponses: false,
    // Compact JSON: Apollo's default indents every answer, which costs time and bytes on every list.
    stringifyResult: (result) => JSON.stringify(result),
    // Set, not left to Apollo: it would turn introspection off whenever NODE_ENV=production.
    introspection: config.introspection,
    // main.ts owns the signals and stops everything in order; Apollo must not stop itself first.
    stopOnTerminationSignals: false,
    // No landing page: /graphql answers JSON only, even to a browser.
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      ApolloServerPluginLandingPageDisabled(),
      ws.drainPlugin,
      resolveBeforeDeadline,
      timeLimitStatus,
      queryCostPlugin(config.queryLimits),
    ],
  });
  await apollo.start();

  let ready = false;
  const health = await createHealthCheck(deps.orm.config.get('clientUrl')!);
  app.get('/healthz', (_req, res) => {
    const problem = health.databaseProblem();
    if (problem) res.status(503).json({ status: problem });
    else res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'starting' });
  });
  app.use('/mail', customerMailRouter(deps, mailLinkKey));
  if (config.inboundEmailSecret) app.use('/inbound/email', inboundEmailRouter(deps, config.inboundEmailSecret, config.inboundEmailMaxBytes, config.inboundAuthservId));
  app.use(
    '/graphql',
    express.json({ limit: BODY_LIMIT }),
    requestDeadline(config.requestTimeoutMs),
    expressMiddleware(apollo, { context: httpContext(deps, schema, config) }),
    dropLateAnswer,
  );
  app.use(notFoundAsJson);
  app.use(errorsAsJson(deps.logger));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  ready = true;
  const address = server.address();
  return {
    server,
    port: typeof address === 'object' && address ? address.port : config.port,
    async stop() {
      await apollo.stop();
      await health.close();
    },
  };
}
