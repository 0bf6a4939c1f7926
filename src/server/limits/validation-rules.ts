import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { Kind, type GraphQLError, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import type { QueryLimits } from '../../config';
import { queryTooComplex, type LimitKind } from './refusal';

/**
 * graphql-armor reports only a message ("… limit of 12 exceeded, found 44."): the measured value is
 * read back from it. test/unit/query-limits.test.ts pins that wording, so an upgrade that changes
 * it fails there instead of sending a wrong figure.
 */
function reportAs(kind: LimitKind, limit: number) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    const measured = Number(/found (\d+)/.exec(error.message)?.[1] ?? NaN);
    context?.reportError(queryTooComplex(kind, limit, measured));
  };
}

/** Fields asked for at the root of an operation, through fragments; `__typename` and introspection are free. */
function rootFieldCount(context: ValidationContext, selectionSet: SelectionSetNode, seenFragments: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += rootFieldCount(context, selection.selectionSet, seenFragments);
    } else if (!seenFragments.has(selection.name.value)) {
      seenFragments.add(selection.name.value);
      const fragment = context.getFragment(selection.name.value);
      if (fragment) count += rootFieldCount(context, fragment.selectionSet, seenFragments);
    }
  }
  return count;
}

/** No library limits root fields alone (aliases of one root field are limited by max-aliases too). */
function maxRootFieldsRule(limit: number): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const count = rootFieldCount(context, operation.selectionSet, new Set());
      if (count > limit) context.reportError(queryTooComplex('rootFields', limit, count));
    },
  });
}

/**
 * The limits a document can be judged by alone (depth, aliases, root fields), as validation rules:
 * Apollo's `validationRules` and the WebSocket validation (server/documents.ts) run the same ones.
 * Fragments add no depth: clients generated from the schema use them freely.
 */
export function limitRules(limits: QueryLimits): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, propagateOnRejection: false, onReject: [reportAs('depth', limits.maxDepth)] }),
    maxAliasesRule({ n: limits.maxAliases, propagateOnRejection: false, onReject: [reportAs('aliases', limits.maxAliases)] }),
    maxRootFieldsRule(limits.maxRootFields),
  ];
}
