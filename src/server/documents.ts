import {
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type Source,
  type ValidationRule,
} from 'graphql';
import { LRUCache } from 'lru-cache';

/** Distinct query texts kept parsed: far more than the queries a set of client apps sends. */
const MAX_DOCUMENTS = 1_000;

/**
 * Parses and validates each query text once. Thousands of agents subscribe with the same few queries:
 * they then hold one document between them (not one each), and subscribers of one document can share
 * its execution (see realtime/shared-subscriptions.ts).
 */
export function documentCache(rules: readonly ValidationRule[] = specifiedRules) {
  const parsed = new LRUCache<string, DocumentNode>({ max: MAX_DOCUMENTS });
  const validated = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  return {
    parse(source: string | Source): DocumentNode {
      const text = typeof source === 'string' ? source : source.body;
      let document = parsed.get(text);
      if (!document) {
        document = parse(text);
        parsed.set(text, document);
      }
      return document;
    },
    validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] {
      let errors = validated.get(document);
      if (!errors) {
        errors = validate(schema, document, rules);
        validated.set(document, errors);
      }
      return errors;
    },
  };
}
