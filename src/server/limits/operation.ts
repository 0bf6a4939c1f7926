import { GraphQLError, getOperationAST, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { QueryLimits } from '../../config';
import type { DocumentCache } from '../documents';
import { checkCost } from './cost';
import { tokensRefusal } from './tokens';

export type PreparedOperation = { errors: readonly GraphQLError[] } | { args: ExecutionArgs; cost?: number };

/**
 * A WebSocket subscribe message made ready to run, with the same limits as HTTP: tokens before
 * parsing, the validation rules (depth, aliases, root fields; in the document cache's validation),
 * then the cost with the variables. graphql-ws runs what this returns as it is.
 */
export function prepareOperation(schema: GraphQLSchema, documents: DocumentCache, payload: SubscribePayload, limits: QueryLimits): PreparedOperation {
  const tooManyTokens = tokensRefusal(payload.query, limits.maxTokens);
  if (tooManyTokens) return { errors: [tooManyTokens] };
  let document;
  try {
    document = documents.parse(payload.query);
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    throw error;
  }
  const errors = documents.validate(schema, document);
  if (errors.length > 0) return { errors };
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) return { errors: [new GraphQLError('Unable to identify operation')] };
  const variables = payload.variables ?? undefined;
  const check = checkCost(schema, document, operation, variables, limits.maxCost);
  if (check.refusal) return { errors: [check.refusal] };
  return { args: { schema, document, operationName: payload.operationName, variableValues: variables }, cost: check.cost };
}
