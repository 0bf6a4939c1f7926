import {
  getNamedType,
  getVariableValues,
  isLeafType,
  Kind,
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
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
 * The cost model, close to Shopify's: a scalar or enum field costs 0, an object field 1 plus its
 * selection, and a field sized by `first` or `limit` 1 plus its selection times that size, so a
 * connection inside a connection multiplies. A list without a size argument (tags, contacts, report
 * rows) counts its selection once. The cost is thus about the number of objects an answer may hold.
 */
const costEstimators: ComplexityEstimator[] = [
  ({ field, args, childComplexity }) => {
    if (isLeafType(getNamedType(field.type))) return 0;
    const size = pageSize(field, args);
    return size === undefined ? undefined : 1 + size * childComplexity;
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
