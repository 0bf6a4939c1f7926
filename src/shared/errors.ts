import { GraphQLError } from 'graphql';

/** The stable `extensions.code` values clients can rely on. */
export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'INVALID_TRANSITION'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'QUERY_TOO_COMPLEX'
  | 'SERVICE_UNAVAILABLE'
  | 'TIMEOUT'
  /** The HTTP request itself is unusable: not JSON, wrong method or media type, no query. */
  | 'BAD_REQUEST'
  | 'PAYLOAD_TOO_LARGE'
  | 'INTERNAL_SERVER_ERROR';

export const PUBLIC_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'INVALID_TRANSITION',
  'CONFLICT',
  'RATE_LIMITED',
  'QUERY_TOO_COMPLEX',
  'SERVICE_UNAVAILABLE',
  'TIMEOUT',
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
]);

/** An error meant for the client: its message and extensions are shown as they are. */
export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export const unauthenticated = (message = 'Sign in to do this.') =>
  new AppError('UNAUTHENTICATED', message, { http: { status: 401 } });

export const forbidden = (message = 'You are not allowed to do this.') => new AppError('FORBIDDEN', message);

/** Used as well for things that exist but the viewer may not see: existence does not leak. */
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found.`);

export const badInput = (message: string, field?: string) =>
  new AppError('BAD_USER_INPUT', message, field ? { field } : {});

export const conflict = (message: string, extensions: Record<string, unknown> = {}) =>
  new AppError('CONFLICT', message, extensions);

/** Seconds a client is asked to wait (`Retry-After`) when every database connection is busy. */
export const RETRY_AFTER_SECONDS = 1;

/** Every database connection stayed busy for the acquire timeout: nothing was done; try again shortly. */
export const serviceUnavailable = () =>
  new AppError('SERVICE_UNAVAILABLE', 'The server is busy; try again shortly.', {
    http: { status: 503, headers: new Map([['retry-after', String(RETRY_AFTER_SECONDS)]]) },
  });

/** The request ran past its deadline, or one of its statements past the statement timeout, and was stopped. */
export const timedOut = (message = 'The request took too long and was stopped.') => new AppError('TIMEOUT', message);
