import { GraphQLError, getOperationAST, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { QueryLimits } from '../../config';
import type { documentCache } from '../documents';
import { checkCost, costLimitOf } from './cost';
import { documentRefusal } from './document-limits';

/** What `extensions.cost` of each result says: the operation's cost and the limit it was held to. */
export interface OperationCost {
  requested: number;
  limit: number;
}

export type PreparedOperation = { errors: readonly GraphQLError[] } | { args: ExecutionArgs; cost?: OperationCost };

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
  const limit = costLimitOf(limits, operation);
  const check = checkCost(schema, document, operation, variables, limit);
  if (check.refusal) return { errors: [check.refusal] };
  const args = { schema, document, operationName: payload.operationName, variableValues: variables };
  return { args, cost: check.cost === undefined ? undefined : { requested: check.cost, limit } };
}
