import type { ApolloServerPlugin } from '@apollo/server';
import type { QueryLimits } from '../../config';
import { checkCost, costLimitOf } from './cost';
import type { OperationCost } from './operation';
import { BAD_REQUEST } from './refusal';

/**
 * The cost of an HTTP request, once the operation and its variables are known and before any
 * resolver runs, and `extensions.cost` on the answer. (The document's own limits come earlier,
 * from http-context.ts: see document-limits.ts.)
 */
export function queryCostPlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      let cost: OperationCost | undefined;
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const limit = costLimitOf(limits, operation);
          const check = checkCost(schema, document, operation, request.variables, limit, BAD_REQUEST);
          cost = check.cost === undefined ? undefined : { requested: check.cost, limit };
          if (check.refusal) throw check.refusal;
        },
        async willSendResponse({ response }) {
          if (cost === undefined || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost };
        },
      };
    },
  };
}
