import { unwrapResolverError } from '@apollo/server/errors';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { isDeadlock, isPoolTimeout, isStatementTimeout } from '../db/timeouts';
import { conflict, PUBLIC_CODES, serviceUnavailable, timedOut, type AppError } from '../shared/errors';

/** Codes Apollo itself gives to documents it cannot run; they describe the request, not our internals. */
const REQUEST_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * The client's error for the database's limits: SERVICE_UNAVAILABLE when no pool connection came
 * free in time (HTTP 503, Retry-After), TIMEOUT when PostgreSQL stopped a statement at its timeout,
 * CONFLICT when it broke a deadlock by rolling this transaction back.
 */
export function databaseLimitError(error: unknown): AppError | undefined {
  if (isPoolTimeout(error)) return serviceUnavailable();
  if (isStatementTimeout(error)) return timedOut('A database statement took too long and was stopped.');
  // Two changes that took the same rows in opposite orders: PostgreSQL rolled this one back.
  if (isDeadlock(error)) return conflict('Another change to the same tickets ran at the same moment; nothing was written. Try again.');
  return undefined;
}

/**
 * graphql-js's "Did you mean …?" endings, in every form it writes them: field, argument, type and input
 * field names (`Did you mean "tickets"?`) and enum values (`Did you mean the enum value "OPEN"?`), in
 * validation and in variable coercion alike. (graphql-armor's block-field-suggestions only matches the
 * first form, and only in validation, so it would still reveal enum values.)
 */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

export const withoutSuggestions = (message: string) => message.replace(SUGGESTION, '');

/**
 * What a client sees of an error: our own errors and request errors as they are (never a stack);
 * anything else is logged here and answered as INTERNAL_SERVER_ERROR with no detail, so no SQL,
 * constraint or file name leaks. With `hideSuggestions` (introspection off), request errors carry no
 * "Did you mean …" that would reveal the schema.
 */
export function formatError(logger: Logger, { hideSuggestions = false } = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = String(formatted.extensions?.code ?? '');
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    if (original instanceof UniqueConstraintViolationException) {
      // Two requests racing to create the same unique thing: the loser is told, as for a sequential duplicate.
      return { message: 'Something with the same unique value already exists.', path: formatted.path, extensions: { code: 'BAD_USER_INPUT' } };
    }
    const limit = databaseLimitError(original);
    if (limit) {
      logger.warn({ err: original, path: formatted.path }, 'database limit reached');
      return { message: limit.message, locations: formatted.locations, path: formatted.path, extensions: { code: limit.extensions.code } };
    }
    if (REQUEST_CODES.has(code) && hideSuggestions) return { ...formatted, message: withoutSuggestions(formatted.message), extensions };
    if (PUBLIC_CODES.has(code) || REQUEST_CODES.has(code)) return { ...formatted, extensions };
    logger.error({ err: original, path: formatted.path }, 'unexpected error');
    return {
      message: 'Internal server error.',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
