import {
  getNamedType,
  getNullableType,
  getVariableValues,
  isLeafType,
  isListType,
  Kind,
  type DocumentNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import type { QueryLimits } from '../../config';
import type { AppError } from '../../shared/errors';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../shared/pagination';
import { queryTooComplex } from './refusal';

/**
 * How many items a list field may return, from its size argument: `first` of a connection (the
 * default page size when absent), `limit` of a short ranked list; capped at the largest page.
 * Undefined for a field without either argument.
 */
function pageSize(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number | undefined {
  const sizeArgument = field.args.find((arg) => arg.name === 'first' || arg.name === 'limit');
  if (!sizeArgument) return undefined;
  const size = args[sizeArgument.name];
  return typeof size === 'number' ? Math.min(Math.max(size, 0), MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
}

/**
 * A list whose size this model does not know: not `edges` or `nodes` of a connection (its `first`
 * multiplies them already), nor an introspection list (those are the schema's, counted by their own
 * limit: see document-limits.ts).
 */
function isUnsizedList(parent: GraphQLCompositeType, field: GraphQLField<unknown, unknown>): boolean {
  return isListType(getNullableType(field.type)) && !parent.name.endsWith('Connection') && !parent.name.startsWith('__');
}

/**
 * Lists the server keeps short whatever is asked, costed at their longest instead of a full page: a
 * report row's `group` holds one value per `groupBy` dimension (there are 6), a recurring issue's
 * `examples` its 3 newest tickets.
 */
const SHORT_LISTS: Record<string, number> = {
  'VolumeGroup.group': 6,
  'ResolutionTimesRow.group': 6,
  'SlaComplianceRow.group': 6,
  'SatisfactionRow.group': 6,
  'RecurringGroup.examples': 3,
  'TitleCluster.examples': 3,
};

/**
 * The cost model, close to Shopify's: a scalar or enum field costs 0, an object field 1 plus its
 * selection, and a field sized by `first` or `limit` 1 plus its selection times that size, so a
 * connection inside a connection multiplies. A list of objects without a size argument (tags,
 * contacts, attachments, report rows) may hold any number of them: it is costed as if it held a full
 * page (MAX_PAGE_SIZE), each item 1 plus its selection, unless the server keeps it short (SHORT_LISTS). The cost is thus about the number of objects
 * an answer may hold.
 */
const costEstimators: ComplexityEstimator[] = [
  ({ type, field, args, childComplexity }) => {
    if (isLeafType(getNamedType(field.type))) return 0;
    const size = pageSize(field, args);
    if (size !== undefined) return 1 + size * childComplexity;
    if (isUnsizedList(type, field)) return 1 + (SHORT_LISTS[`${type.name}.${field.name}`] ?? MAX_PAGE_SIZE) * (1 + childComplexity);
    return undefined;
  },
  simpleEstimator({ defaultComplexity: 1 }),
];

/** Above this many field evaluations (fragments expanded) the cost is not worked out: the operation is refused. */
const MAX_FIELD_NODES = 20_000;

/** The cost, or a refusal; neither when the variables do not fit (execution refuses those before any resolver runs). */
export interface CostCheck {
  cost?: number;
  refusal?: AppError;
}

/**
 * The limit an operation's cost is held to: a subscription's selection runs again for every
 * subscriber at every event, so it has a lower limit of its own.
 */
export function costLimitOf(limits: QueryLimits, operation: OperationDefinitionNode): number {
  return operation.operation === 'subscription' ? limits.maxSubscriptionCost : limits.maxCost;
}

/** The cost of the operation that will run, with its variables, against `limit`. */
export function checkCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  limit: number,
  http?: { status: number },
): CostCheck {
  if (getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}).errors) return {};
  // Only the operation that runs is costed, whatever else the document holds.
  const query: DocumentNode = { ...document, definitions: document.definitions.filter((d) => d.kind !== Kind.OPERATION_DEFINITION || d === operation) };
  let cost: number;
  try {
    cost = getComplexity({ schema, query, variables, estimators: costEstimators, maxQueryNodes: MAX_FIELD_NODES });
  } catch {
    // Fragments that expand to more fields than MAX_FIELD_NODES: far beyond any limit.
    return { refusal: queryTooComplex('cost', limit, null, http) };
  }
  return cost > limit ? { cost, refusal: queryTooComplex('cost', limit, cost, http) } : { cost };
}
