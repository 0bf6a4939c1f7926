import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

/**
 * Answers an error in the shape the path's clients read: `{ error: { code, message } }` under
 * /inbound/email (mail forwarders, see inbound-email.router.ts), a GraphQL response
 * `{ errors: [{ message, extensions: { code } }] }` everywhere else.
 */
export function answerError(req: Request, res: Response, status: number, code: string, message: string): void {
  const body = req.path.startsWith('/inbound/email') ? { error: { code, message } } : { errors: [{ message, extensions: { code } }] };
  res.status(status).json(body);
}

/** Last in the chain: a path nothing else answered is a JSON 404, never express's HTML page. */
export const notFoundAsJson: RequestHandler = (req, res) => {
  answerError(req, res, 404, 'NOT_FOUND', 'Nothing is served at this path.');
};

/** Body readers' refusals (express.json / express.raw), by their `type`. */
function describeBodyError(error: { type?: string; limit?: number; status?: number; expose?: boolean; message?: string }) {
  if (error.type === 'entity.parse.failed') return { status: 400, code: 'BAD_REQUEST', message: 'The request body is not valid JSON (or not a JSON object).' };
  if (error.type === 'entity.too.large') {
    return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `The request body is larger than ${error.limit} bytes.` };
  }
  if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
    // An unsupported charset or Content-Encoding (415), an aborted upload, a wrong Content-Length…
    return { status: error.status, code: 'BAD_REQUEST', message: error.expose && error.message ? error.message : 'The request could not be read.' };
  }
  return undefined;
}

/**
 * The final error handler: whatever reaches it is answered as JSON without a stack (express's own
 * handler would answer an HTML page with the stack outside production). Failures on our side are
 * logged and answered 500 INTERNAL_SERVER_ERROR with no detail.
 */
export function errorsAsJson(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const refused = describeBodyError(error ?? {});
    if (refused) {
      answerError(req, res, refused.status, refused.code, refused.message);
      return;
    }
    logger.error({ err: error, path: req.path }, 'request failed');
    answerError(req, res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error.');
  };
}
