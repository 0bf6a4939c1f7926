import pino, { type Logger } from 'pino';

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

/** JSON logs on stdout (pino). Secrets in headers are redacted, and database errors lose the values of their statement. */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination(1)): Logger {
  return pino(
    {
      level,
      redact: ['req.headers.authorization', 'authorization'],
      serializers: { err: (error: unknown) => (isDatabaseError(error) ? databaseError(error) : pino.stdSerializers.err(error as Error)) },
    },
    destination,
  );
}
