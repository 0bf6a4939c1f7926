import type { Request, Response } from 'express';
import { parse, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Config } from '../config';
import { createContext, type AppDeps, type Context } from '../context';
import { ANONYMOUS, type Actor } from '../modules/users/auth/actor';
import { databaseLimitError } from './errors';
import { documentRefusal } from './limits/document-limits';
import { BAD_REQUEST } from './limits/refusal';

/**
 * Query texts remembered as within the limits: up to 1,000, and up to 8 MiB of text in all (a body may
 * be 1 MB, so a count alone would let distinct large texts hold a gigabyte).
 */
const ACCEPTED_TEXTS = { max: 1_000, maxSize: 8 * 1024 * 1024, sizeCalculation: (_: true, text: string) => text.length };

/**
 * Apollo's context function for `/graphql`, with what must happen before Apollo parses anything:
 * the request is charged to its actor's rate-limit budget (every answer carries the RateLimit
 * headers; over the budget it is RATE_LIMITED, 429), then the document is held to its limits
 * (tokens, depth, aliases, root fields). The cost follows once the variables are known
 * (queryCostPlugin).
 */
export function httpContext(deps: AppDeps, schema: GraphQLSchema, config: Config) {
  // Query texts already found within the limits: clients send the same few again and again, and judging
  // one means parsing it (besides Apollo's own parse, which Apollo caches). A refused text is judged anew
  // each time it comes.
  const withinLimits = new LRUCache<string, true>(ACCEPTED_TEXTS);
  return async ({ req, res }: { req: Request; res: Response }): Promise<Context> => {
    const address = req.ip ?? 'unknown';
    const charge = async (actor: Actor) => {
      const { headers, refusal } = await deps.rateLimits.charge(actor, address, true);
      for (const [name, value] of headers) res.setHeader(name, value);
      if (refusal) throw refusal;
    };
    let context: Context;
    try {
      context = await createContext(deps, req.headers.authorization, address);
    } catch (error) {
      // Refused credentials are charged to the address, so guessing tokens or keys is throttled as well.
      await charge(ANONYMOUS);
      // A pool timeout while authenticating answers SERVICE_UNAVAILABLE (503), as it does in a resolver.
      throw databaseLimitError(error) ?? error;
    }
    await charge(context.actor);
    const query: unknown = req.body?.query ?? req.query.query;
    if (typeof query === 'string' && !withinLimits.has(query)) {
      const refusal = documentRefusal(schema, query, parse, config.queryLimits, BAD_REQUEST);
      if (refusal) throw refusal;
      withinLimits.set(query, true);
    }
    return context;
  };
}
