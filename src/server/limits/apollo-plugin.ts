import type { ApolloServerPlugin } from '@apollo/server';
import type { QueryLimits } from '../../config';
import { checkCost } from './cost';
import { tokensRefusal } from './tokens';

const BAD_REQUEST = { status: 400 };

/**
 * The limits of an HTTP request besides the validation rules (see validation-rules.ts): tokens
 * before parsing, the cost once the operation and its variables are known (before any resolver
 * runs), and `extensions.cost` on the answer.
 */
export function queryLimitsPlugin(limits: QueryLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      let cost: number | undefined;
      return {
        async didResolveSource({ source }) {
          const refusal = tokensRefusal(source, limits.maxTokens, BAD_REQUEST);
          if (refusal) throw refusal;
        },
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const check = checkCost(schema, document, operation, request.variables, limits.maxCost, BAD_REQUEST);
          cost = check.cost;
          if (check.refusal) throw check.refusal;
        },
        async willSendResponse({ response }) {
          if (cost === undefined || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost: { requested: cost, limit: limits.maxCost } };
        },
      };
    },
  };
}
