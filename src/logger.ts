import pino, { type Logger } from 'pino';

/** JSON logs on stdout (pino). Secrets in headers are redacted. */
export function createLogger(level: string): Logger {
  return pino({ level, redact: ['req.headers.authorization', 'authorization'] });
}
