import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';

/** What every log line written while serving one request carries: its id, and its operation once known. */
export interface RequestLogFields {
  requestId: string;
  operationName?: string;
}

/** The request being served, if any (set by server/request-id.ts, the operation by the GraphQL plugins). */
export const requestLogFields = new AsyncLocalStorage<RequestLogFields>();

/**
 * Fields whose values are secrets wherever they appear in a logged object: credentials, tokens, webhook
 * secrets, mail bodies and a GraphQL request's variables (which carry passwords and secrets as inputs).
 */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'password',
  '*.password',
  'newPassword',
  '*.newPassword',
  'currentPassword',
  '*.currentPassword',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'key',
  '*.key',
  'variables',
  '*.variables',
  'text',
  '*.text',
  'html',
  '*.html',
  'body',
  '*.body',
];

/**
 * A database error as the log keeps it. The driver's message (and the stack's first line) starts with
 * the failing statement with its values written in, and `detail` repeats a conflicting value: either
 * could hold an email body, an address or a password hash. The log keeps what locates the fault (the
 * SQLSTATE, the table, column and constraint, PostgreSQL's own message) and drops the values.
 */
function databaseError(error: Error & Record<string, unknown>) {
  const message = error.message.slice(error.message.lastIndexOf(' - ') + 3);
  return {
    type: error.name,
    message,
    code: error.code,
    table: error.table,
    column: error.column,
    constraint: error.constraint,
    routine: error.routine,
    stack: (error.stack ?? '').split('\n').filter((line) => line.trim().startsWith('at ')).join('\n'),
  };
}

function isDatabaseError(error: unknown): error is Error & Record<string, unknown> {
  return error instanceof Error && typeof (error as { sqlState?: unknown; routine?: unknown }).routine === 'string';
}

/**
 * JSON logs on stdout (pino). Each line written while serving a request carries its `requestId` and
 * `operationName`; secrets are redacted (REDACTED), and database errors lose the values of their statement.
 */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination(1)): Logger {
  return pino(
    {
      level,
      redact: REDACTED,
      mixin: () => ({ ...requestLogFields.getStore() }),
      serializers: { err: (error: unknown) => (isDatabaseError(error) ? databaseError(error) : pino.stdSerializers.err(error as Error)) },
    },
    destination,
  );
}
