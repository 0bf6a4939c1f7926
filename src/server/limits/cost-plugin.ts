import type { ApolloServerPlugin } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { QueryLimits } from '../../config';
import { checkCost, costLimitOf } from './cost';
import type { OperationCost } from './operation';
import { BAD_REQUEST } from './refusal';

/** Distinct variable sets remembered per operation: clients send the same few queries with few variants. */
const VARIANTS_PER_OPERATION = 100;
/** Variables (as JSON) longer than this are costed each time, not remembered: memory stays bounded whatever bodies come. */
const REMEMBERED_VARIABLES_CHARS = 2_048;

/**
 * The cost of an HTTP request, once the operation and its variables are known and before any
 * resolver runs, and `extensions.cost` on the answer. (The document's own limits come earlier,
 * from http-context.ts: see document-limits.ts.)
 */
export function queryCostPlugin(limits: QueryLimits): ApolloServerPlugin {
  // Costs found within the limit, by operation and variables: Apollo hands every request with the same
  // text the same parsed document (its document cache), and the cost depends only on the operation and
  // its variables, so working it out again for each request (2 % of a small query's CPU) is waste.
  // Costs over the limit are worked out anew each time, as refused texts are in http-context.ts.
  const accepted = new WeakMap<OperationDefinitionNode, LRUCache<string, number>>();
  return {
    async requestDidStart() {
      let cost: OperationCost | undefined;
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const limit = costLimitOf(limits, operation);
          const variablesKey = JSON.stringify(request.variables ?? {});
          const known = accepted.get(operation)?.get(variablesKey);
          if (known !== undefined) {
            cost = { requested: known, limit };
            return;
          }
          const check = checkCost(schema, document, operation, request.variables, limit, BAD_REQUEST);
          cost = check.cost === undefined ? undefined : { requested: check.cost, limit };
          if (check.refusal) throw check.refusal;
          if (check.cost !== undefined && variablesKey.length <= REMEMBERED_VARIABLES_CHARS) {
            if (!accepted.has(operation)) accepted.set(operation, new LRUCache({ max: VARIANTS_PER_OPERATION }));
            accepted.get(operation)!.set(variablesKey, check.cost);
          }
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
