import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  getEnterLeaveForKind,
  Kind,
  TypeInfo,
  ValidationContext,
  visitInParallel,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import type { QueryLimits } from '../../config';
import { queryTooComplex, type LimitKind } from './refusal';
import { tokensRefusal } from './tokens';

/**
 * graphql-armor reports only a message ("… limit of 12 exceeded, found 44."): the measured value is
 * read back from it. test/unit/query-limits.test.ts pins that wording, so an upgrade that changes
 * it fails there instead of sending a wrong figure.
 */
function reportAs(kind: LimitKind, limit: number, http?: { status: number }) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    const measured = Number(/found (\d+)/.exec(error.message)?.[1] ?? NaN);
    context?.reportError(queryTooComplex(kind, limit, measured, http));
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
function maxRootFieldsRule(limit: number, http?: { status: number }): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const count = rootFieldCount(context, operation.selectionSet, new Set());
      if (count > limit) context.reportError(queryTooComplex('rootFields', limit, count, http));
    },
  });
}

/** Fields selected in `selectionSet`, at every level, each fragment counted where it is spread (worked out once per fragment). */
function fieldCount(context: ValidationContext, selectionSet: SelectionSetNode, fragments: Map<string, number>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      count += 1 + (selection.selectionSet ? fieldCount(context, selection.selectionSet, fragments) : 0);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += fieldCount(context, selection.selectionSet, fragments);
    } else {
      const name = selection.name.value;
      if (!fragments.has(name)) {
        // 0 while it is worked out: a fragment that spreads itself (validation refuses it later) adds nothing.
        fragments.set(name, 0);
        const fragment = context.getFragment(name);
        fragments.set(name, fragment ? fieldCount(context, fragment.selectionSet, fragments) : 0);
      }
      count += fragments.get(name)!;
    }
  }
  return count;
}

/** Fields selected inside the root `__schema` and `__type` fields, themselves included; `seenFragments` guards root fragments. */
function introspectionFieldCount(
  context: ValidationContext,
  selectionSet: SelectionSetNode,
  seenFragments: Set<string>,
  fragments: Map<string, number>,
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value === '__schema' || selection.name.value === '__type') {
        count += 1 + (selection.selectionSet ? fieldCount(context, selection.selectionSet, fragments) : 0);
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += introspectionFieldCount(context, selection.selectionSet, seenFragments, fragments);
    } else if (!seenFragments.has(selection.name.value)) {
      seenFragments.add(selection.name.value);
      const fragment = context.getFragment(selection.name.value);
      if (fragment) count += introspectionFieldCount(context, fragment.selectionSet, seenFragments, fragments);
    }
  }
  return count;
}

/**
 * Introspection is free of the depth and cost limits (its lists are the schema's, not the data's),
 * but each of its fields walks the whole schema: aliased `__schema` or `types` selections and long
 * `ofType` chains multiply that work. Their fields are counted instead, fragments expanded; the
 * standard introspection query selects about 230.
 */
function maxIntrospectionFieldsRule(limit: number, http?: { status: number }): ValidationRule {
  return (context) => ({
    OperationDefinition(operation) {
      const count = introspectionFieldCount(context, operation.selectionSet, new Set(), new Map());
      if (count > limit) context.reportError(queryTooComplex('introspection', limit, Number.isFinite(count) ? count : null, http));
    },
  });
}

function limitRules(limits: QueryLimits, http?: { status: number }): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, propagateOnRejection: false, onReject: [reportAs('depth', limits.maxDepth, http)] }),
    maxAliasesRule({ n: limits.maxAliases, propagateOnRejection: false, onReject: [reportAs('aliases', limits.maxAliases, http)] }),
    maxRootFieldsRule(limits.maxRootFields, http),
    maxIntrospectionFieldsRule(limits.maxIntrospectionFields, http),
  ];
}

/**
 * The limits a document is judged by alone, without its variables: tokens (before parsing: they
 * bound the work of everything after), then depth, aliases, root fields and introspection fields
 * as validation rules.
 * The first limit exceeded, in that order, is the refusal (HTTP answers a single error).
 * Both transports call this before graphql-js's own validation, whose overlapping-fields rule alone
 * takes about half a second over 500 aliases: a refusal comes before that work. Fragments add no
 * depth (clients generated from the schema use them freely). A document that does not parse gets
 * no refusal here: the parser that runs next says why.
 */
export function documentRefusal(
  schema: GraphQLSchema,
  text: string,
  parse: (text: string) => DocumentNode,
  limits: QueryLimits,
  http?: { status: number },
): GraphQLError | undefined {
  const tooManyTokens = tokensRefusal(text, limits.maxTokens, http);
  if (tooManyTokens) return tooManyTokens;
  let document: DocumentNode;
  try {
    document = parse(text);
  } catch {
    return undefined;
  }
  // Each rule judges an operation as a whole when it enters it, so only operations are visited:
  // validate() would walk every field of the document too, doubling the work of a refusal.
  const errors: GraphQLError[] = [];
  const context = new ValidationContext(schema, document, new TypeInfo(schema), (error) => errors.push(error));
  const visitor = visitInParallel(limitRules(limits, http).map((rule) => rule(context)));
  const { enter } = getEnterLeaveForKind(visitor, Kind.OPERATION_DEFINITION);
  for (const definition of document.definitions) {
    if (definition.kind === Kind.OPERATION_DEFINITION) enter?.call(visitor, definition, undefined, document, [], []);
  }
  return errors[0];
}
