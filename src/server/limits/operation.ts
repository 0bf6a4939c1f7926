import { GraphQLError, getOperationAST, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { QueryLimits } from '../../config';
import type { documentCache } from '../documents';
import { checkCost } from './cost';
import { documentRefusal } from './document-limits';

export type PreparedOperation = { errors: readonly GraphQLError[] } | { args: ExecutionArgs; cost?: number };

/**
 * A WebSocket subscribe message made ready to run, with the limits of HTTP in the same order: the
 * document's limits, graphql-js's validation, then the cost with the variables. graphql-ws runs
 * what this returns as it is (it skips its own parse and validate).
 */
export function prepareOperation(
  schema: GraphQLSchema,
  documents: ReturnType<typeof documentCache>,
  payload: SubscribePayload,
  limits: QueryLimits,
): PreparedOperation {
  const refusal = documentRefusal(schema, payload.query, documents.parse, limits);
  if (refusal) return { errors: [refusal] };
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
