import { unwrapResolverError } from '@apollo/server/errors';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { PUBLIC_CODES } from '../shared/errors';

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
 * What a client sees of an error: our own errors and request errors as they are (never a stack);
 * anything else is logged here and answered as INTERNAL_SERVER_ERROR with no detail, so no SQL,
 * constraint or file name leaks.
 */
export function formatError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const code = String(formatted.extensions?.code ?? '');
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    if (original instanceof UniqueConstraintViolationException) {
      // Two requests racing to create the same unique thing: the loser is told, as for a sequential duplicate.
      return { message: 'Something with the same unique value already exists.', path: formatted.path, extensions: { code: 'BAD_USER_INPUT' } };
    }
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
