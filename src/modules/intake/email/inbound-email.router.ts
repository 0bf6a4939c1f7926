import express, { type ErrorRequestHandler, type RequestHandler, type Router } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createContext, type AppDeps } from '../../../context';
import { InboundEmailError, InboundEmailService, type InboundResult } from './inbound-email.service';
import { replyTokenKey } from './reply-token';

const errorBody = (code: string, message: string) => ({ error: { code, message } });

/** Fixed-length digests, so the comparison takes the same time whatever was sent, and leaks no length. */
const digest = (value: string) => createHash('sha256').update(value).digest();

/** `Authorization: Bearer <INBOUND_EMAIL_SECRET>`, compared in constant time; 401 otherwise. */
function requireSecret(secret: string): RequestHandler {
  const expected = digest(secret);
  return (req, res, next) => {
    const token = /^Bearer[ \t]+(.*?)[ \t]*$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    if (token !== '' && timingSafeEqual(digest(token), expected)) {
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Bearer').status(401).json(errorBody('UNAUTHENTICATED', 'Send Authorization: Bearer <INBOUND_EMAIL_SECRET>.'));
  };
}

/**
 * POST /inbound/email: a mail forwarder posts one raw RFC 5322 message (any content type, at most
 * `maxBytes`). Answers 201 `{ ticketNumber, outcome: CREATED | REPLIED | NOTED }`, 200 for IGNORED
 * (`ticketNumber: null`) and DUPLICATE, and
 * `{ error: { code, message } }` with 400, 401 or 413 for a message refused (nothing is written then),
 * or 500 for a failure on our side (the forwarder may retry: a retry is recognized by its Message-ID).
 * The rules live in InboundEmailService.
 */
export function inboundEmailRouter(deps: AppDeps, secret: string, maxBytes: number, authservId?: string): Router {
  const router = express.Router();
  const trust = { replyKey: replyTokenKey(secret), authservId };
  router.post('/', requireSecret(secret), express.raw({ type: () => true, limit: maxBytes }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const ctx = await createContext(deps, undefined, req.ip);
    const { ticketNumber, outcome, check } = await new InboundEmailService(ctx.em, ctx.services.intake, trust).receive(raw);
    deps.logger.info({ ticketNumber, outcome, check }, 'inbound email');
    const answer: InboundResult = { ticketNumber, outcome };
    res.status(outcome === 'DUPLICATE' || outcome === 'IGNORED' ? 200 : 201).json(answer);
  });
  router.all('/', (_req, res) => {
    res.set('Allow', 'POST').status(405).json(errorBody('METHOD_NOT_ALLOWED', 'Use POST with the raw message as the body.'));
  });

  const onError: ErrorRequestHandler = (error, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof InboundEmailError) {
      res.status(error.status).json(errorBody(error.code, error.message));
    } else if (error?.type === 'entity.too.large') {
      res.status(413).json(errorBody('MESSAGE_TOO_LARGE', `The message is larger than ${maxBytes} bytes.`));
    } else if (typeof error?.status === 'number' && error.status >= 400 && error.status < 500) {
      // What the body reader refused (an aborted upload, an unknown Content-Encoding...).
      res.status(error.status).json(errorBody('BAD_REQUEST', error.expose ? String(error.message) : 'The request could not be read.'));
    } else {
      deps.logger.error({ err: error }, 'inbound email failed');
      res.status(500).json(errorBody('INTERNAL_SERVER_ERROR', 'The message could not be processed; try again later.'));
    }
  };
  router.use(onError);
  return router;
}
