import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { requestLogFields } from '../logger';

/** An incoming id we keep: short, and of characters that cannot forge a log line or a header. */
const SANE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * First in the chain: every request gets an id, the caller's `x-request-id` when it is sane (a proxy's
 * or a client's, so one id follows a request across systems), else a new UUID. It is echoed in the
 * answer's `x-request-id` and carried by every log line written while the request is served.
 */
export const requestId: RequestHandler = (req, res, next) => {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && SANE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  requestLogFields.run({ requestId: id }, next);
};

/**
 * One log line per GraphQL request over HTTP: its operation, how long it took and the codes of its
 * errors, never its variables or answer. The operation's name is also added to every later line of
 * the request (see requestLogFields).
 */
export function requestLogPlugin(logger: Logger): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = performance.now();
      let operationType: string | undefined;
      return {
        async didResolveOperation({ operation, operationName }) {
          operationType = operation?.operation;
          const fields = requestLogFields.getStore();
          if (fields) fields.operationName = operationName ?? 'anonymous';
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors?.map((error) => error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') : undefined;
          logger.info({ operationType, durationMs: Math.round(performance.now() - started), status: response.http.status ?? 200, errors }, 'graphql request');
        },
      };
    },
  };
}
