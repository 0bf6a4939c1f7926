import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  type GraphQLSchema,
} from 'graphql';

/**
 * The contract rule, apart from files and the command line so the unit test can feed it pairs of
 * schemas: a change that breaks clients is allowed only when it removes something the released
 * schema had already announced with `@deprecated(reason: …)` (docs/partners-contract.md).
 */
export interface Compatibility {
  /** Breaking changes that were not announced: each fails the check. */
  refused: Change[];
  /** Breaking changes that remove what the baseline deprecated: allowed. */
  announced: Change[];
  /** Changes that may surprise a client (a new enum value, a changed default): printed, never failing. */
  dangerous: Change[];
  safe: Change[];
}

/** The removed element's deprecation reason in the baseline, or null when it was not deprecated. */
function deprecationOf(baseline: GraphQLSchema, path: string): string | null {
  const [typeName, member, argName] = path.split('.');
  const type = baseline.getType(typeName);
  if (!type || member === undefined) return null;
  if (isEnumType(type)) return type.getValue(member)?.deprecationReason ?? null;
  if (isInputObjectType(type)) return type.getFields()[member]?.deprecationReason ?? null;
  if (isObjectType(type) || isInterfaceType(type)) {
    const field = type.getFields()[member];
    if (!field) return null;
    if (argName === undefined) return field.deprecationReason ?? null;
    return field.args.find((arg) => arg.name === argName)?.deprecationReason ?? null;
  }
  return null;
}

/**
 * A type cannot carry @deprecated; its removal was announced when every way to reach it was: each
 * field, argument and input field of that type is deprecated, and no union or interface leads to it
 * (a fragment `... on T` would stop validating).
 */
function unreachableOnceDeprecatedRemoved(baseline: GraphQLSchema, typeName: string): boolean {
  const removed = baseline.getType(typeName);
  if (!removed || (isObjectType(removed) && removed.getInterfaces().length > 0)) return false;
  for (const type of Object.values(baseline.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isUnionType(type) && type.getTypes().some((member) => member.name === typeName)) return false;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (getNamedType(field.type).name === typeName && !field.deprecationReason) return false;
        for (const arg of field.args) if (getNamedType(arg.type).name === typeName && !arg.deprecationReason && !field.deprecationReason) return false;
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (getNamedType(field.type).name === typeName && !field.deprecationReason) return false;
    }
  }
  return true;
}

const REMOVALS = new Set<string>(['FIELD_REMOVED', 'ENUM_VALUE_REMOVED', 'INPUT_FIELD_REMOVED', 'FIELD_ARGUMENT_REMOVED']);

function wasAnnounced(baseline: GraphQLSchema, change: Change): boolean {
  if (!change.path) return false;
  if (REMOVALS.has(change.type)) return deprecationOf(baseline, change.path) !== null;
  if (change.type === 'TYPE_REMOVED') return unreachableOnceDeprecatedRemoved(baseline, change.path);
  return false;
}

/** Compares the released schema (SDL) with the current one under the contract rule. */
export async function compareSchemas(releasedSdl: string, currentSdl: string): Promise<Compatibility> {
  const baseline = buildSchema(releasedSdl);
  const changes = await diff(baseline, buildSchema(currentSdl));
  const result: Compatibility = { refused: [], announced: [], dangerous: [], safe: [] };
  for (const change of changes) {
    const level = change.criticality.level;
    if (level === CriticalityLevel.Breaking) (wasAnnounced(baseline, change) ? result.announced : result.refused).push(change);
    else if (level === CriticalityLevel.Dangerous) result.dangerous.push(change);
    else result.safe.push(change);
  }
  return result;
}
