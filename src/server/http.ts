import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { GraphQLSchema } from 'graphql';
import type Redis from 'ioredis';
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
import { dropLateAnswer, requestDeadline, timeLimitStatus } from './time-limits';
import { graphiqlRouter } from './ide/graphiql';
import { metricsHandler } from './metrics/metrics-endpoint';
import type { Metrics } from './metrics/metrics';
import { readiness } from './readiness';
import { requestId, requestLogPlugin } from './request-log';
import { createWebSocketServer } from './ws';

/** What operators reach: the metrics when on (METRICS_TOKEN or METRICS_PORT), and Redis for /readyz when configured. */
export interface Operations {
  metrics?: Metrics;
  redis?: Redis;
}

export interface HttpServer {
  server: http.Server;
  port: number;
  stop(): Promise<void>;
}

/** Largest request body accepted: a GraphQL document with its variables, never a file upload. */
const BODY_LIMIT = '1mb';

/**
 * HTTP and WebSocket on one port: `POST/GET /graphql` (Apollo), WebSocket subscriptions on the same
 * path (graphql-ws), GraphiQL for a browser's `GET /graphql` (its bundle under `/ide/`) unless GRAPHIQL=false, `GET /healthz`, `GET /readyz`, `GET /metrics` with METRICS_TOKEN (and no METRICS_PORT), the pages behind customer mail's links under `/mail/`, and `POST /inbound/email` when INBOUND_EMAIL_SECRET is set. `stop()` closes sockets (1001), drains HTTP, then returns.
 * Every answer is JSON: a bad body, any other path and any failure too (see json-answers.ts).
 */
export async function startHttpServer(deps: AppDeps, schema: GraphQLSchema, config: Config, mailLinkKey: Buffer, operations: Operations = {}): Promise<HttpServer> {
  const app = express();
  app.set('trust proxy', config.trustProxy);
  // No ETag on answers: every GraphQL answer is read as it is made (nothing asks with If-None-Match),
  // and express would hash each whole answer to make one (SHA-1 over a page of tickets, every request).
  app.set('etag', false);
  app.use(requestId);
  const server = http.createServer(app);
  const ws = createWebSocketServer(server, schema, deps, config);
  operations.metrics?.watchSockets(ws.counts);

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
    // Not Apollo's landing page (it loads from a CDN): GraphiQL from our own bundle, when GRAPHIQL is on.
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      ApolloServerPluginLandingPageDisabled(),
      // No cache hints are given (answers depend on the viewer): Apollo's default cache-control plugin
      // would only hook every field, which makes Apollo wrap every resolver and costs each request.
      // No plugin here may use `willResolveField`, for the same reason (test/integration/transport.test.ts).
      ApolloServerPluginCacheControlDisabled(),
      ws.drainPlugin,
      timeLimitStatus,
      queryCostPlugin(config.queryLimits),
      requestLogPlugin(deps.logger),
      ...(operations.metrics ? [operations.metrics.plugin()] : []),
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
  if (config.graphiql) app.use(graphiqlRouter(deps.logger));
  app.get('/readyz', async (_req, res, next) => {
    try {
      const { ready, checks } = await readiness(health, operations.redis);
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
    } catch (error) {
      next(error);
    }
  });
  // With METRICS_PORT the metrics have a listener of their own (app.ts); otherwise here, behind the token.
  if (operations.metrics && config.metrics.token && config.metrics.port === undefined) app.get('/metrics', metricsHandler(operations.metrics, config.metrics.token));
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
