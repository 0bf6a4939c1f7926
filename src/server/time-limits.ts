import type { ApolloServerPlugin } from '@apollo/server';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { runWithDeadline } from '../shared/deadline';
import { RETRY_AFTER_SECONDS, timedOut } from '../shared/errors';

/**
 * Gives each HTTP GraphQL request a deadline. When it passes before the answer, the client is answered
 * TIMEOUT (HTTP 503) at once; the request starts no new statement, a transaction still open rolls back at
 * its commit (both in db/deadline-guard.ts), and a statement still running is stopped by the database's
 * statement timeout.
 */
export function requestDeadline(timeoutMs: number): RequestHandler {
  return (_req, res, next) => {
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      const { message, extensions } = timedOut(`The request took longer than ${timeoutMs} ms and was stopped.`);
      res.status(503).json({ errors: [{ message, extensions }] });
    }, timeoutMs);
    res.once('close', () => clearTimeout(timer));
    runWithDeadline(Date.now() + timeoutMs, next);
  };
}

/** Apollo's own answer, finished after the deadline answered the request, cannot be sent: it is dropped. */
export const dropLateAnswer: ErrorRequestHandler = (error: { code?: string }, _req, res, next) => {
  if (res.headersSent && error?.code === 'ERR_HTTP_HEADERS_SENT') return;
  next(error);
};

/**
 * An answer with no data because the database was busy (SERVICE_UNAVAILABLE) or too slow (TIMEOUT) is
 * HTTP 503, with Retry-After when busy; an answer with data stays 200, as GraphQL over HTTP asks.
 */
export const timeLimitStatus: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const { data, errors } = response.body.singleResult;
        if (data != null || !errors) return;
        const codes = new Set(errors.map((error) => error.extensions?.code));
        if (codes.has('SERVICE_UNAVAILABLE')) {
          response.http.status = 503;
          response.http.headers.set('retry-after', String(RETRY_AFTER_SECONDS));
        } else if (codes.has('TIMEOUT')) {
          response.http.status = 503;
        }
      },
    };
  },
};
