import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isRequiredArgument,
  isRequiredInputField,
  isScalarType,
  isSpecifiedScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The emitted schema is what partners build against; the core contract (schema/contract.graphql, a
 * copy kept in this repository so the tests need nothing beside it) is what they were promised. Everything the contract names must be in the emitted schema with a compatible shape, and
 * every part of the emitted schema must be documented.
 */

const CONTRACT_FILE = path.resolve(__dirname, '../../schema/contract.graphql');
const SCHEMA_FILE = path.resolve(__dirname, '../../schema/schema.graphql');

const contract = buildSchema(readFileSync(CONTRACT_FILE, 'utf8'));
const emitted = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));

const userTypes = (schema: GraphQLSchema): GraphQLNamedType[] =>
  Object.values(schema.getTypeMap()).filter((type) => !isIntrospectionType(type) && !isSpecifiedScalarType(type));

/**
 * Same named type with the same list and non-null wrappers. (graphql's isEqualType compares named
 * types by identity, which never holds across two schemas, so compare the printed forms: `[Tag!]!`.)
 */
const sameType = (a: GraphQLType, b: GraphQLType): boolean => String(a) === String(b);

const kindOf = (type: GraphQLNamedType): string =>
  isObjectType(type)
    ? 'type'
    : isInterfaceType(type)
      ? 'interface'
      : isInputObjectType(type)
        ? 'input'
        : isEnumType(type)
          ? 'enum'
          : isUnionType(type)
            ? 'union'
            : isScalarType(type)
              ? 'scalar'
              : 'unknown';

function compareArguments(owner: string, expected: readonly GraphQLArgument[], actual: readonly GraphQLArgument[]): string[] {
  const problems: string[] = [];
  for (const arg of expected) {
    const found = actual.find((a) => a.name === arg.name);
    if (!found) problems.push(`${owner}(${arg.name}:) is missing (contract: ${String(arg.type)})`);
    else if (!sameType(arg.type, found.type)) {
      problems.push(`${owner}(${arg.name}:) has type ${String(found.type)}, contract says ${String(arg.type)}`);
    }
  }
  // An extra argument is fine for clients of the contract only when they may leave it out.
  for (const arg of actual) {
    if (!expected.some((a) => a.name === arg.name) && isRequiredArgument(arg)) {
      problems.push(`${owner}(${arg.name}:) is required (${String(arg.type)}) but not in the contract`);
    }
  }
  return problems;
}

/**
 * Departures from the contract agreed on its issue, each with why. A field named here may differ from
 * the contract only as said (a nullable output where the contract has a non-null one).
 */
const AGREED_CHANGES: Record<string, { type: string; why: string }> = {
  'User.email': {
    type: 'String',
    why: 'issue 16: customers, and API keys without TICKETS_READ, see a staff member by name only; the email is null for them.',
  },
};

function compareFields(
  typeName: string,
  expected: Record<string, GraphQLField<unknown, unknown>>,
  actual: Record<string, GraphQLField<unknown, unknown>>,
): string[] {
  const problems: string[] = [];
  for (const field of Object.values(expected)) {
    const found = actual[field.name];
    const owner = `${typeName}.${field.name}`;
    if (!found) {
      problems.push(`${owner} is missing (contract: ${String(field.type)})`);
      continue;
    }
    if (!sameType(field.type, found.type) && AGREED_CHANGES[owner]?.type !== String(found.type)) {
      problems.push(`${owner} has type ${String(found.type)}, contract says ${String(field.type)}`);
    }
    problems.push(...compareArguments(owner, field.args, found.args));
  }
  return problems;
}

/** Everything that differs between the contract's type `name` and the emitted one, as readable lines. */
function contractProblems(name: string): string[] {
  const expected = contract.getType(name)!;
  const actual = emitted.getType(name);
  if (!actual) return [`${kindOf(expected)} ${name} is missing from schema/schema.graphql`];
  if (kindOf(actual) !== kindOf(expected)) return [`${name} is a ${kindOf(actual)}, contract says ${kindOf(expected)}`];

  const problems: string[] = [];
  if ((isObjectType(expected) || isInterfaceType(expected)) && (isObjectType(actual) || isInterfaceType(actual))) {
    problems.push(...compareFields(name, expected.getFields(), actual.getFields()));
    const implemented = actual.getInterfaces().map((i) => i.name);
    for (const iface of expected.getInterfaces()) {
      if (!implemented.includes(iface.name)) problems.push(`${name} does not implement ${iface.name}`);
    }
  }
  if (isInputObjectType(expected) && isInputObjectType(actual)) {
    const actualFields = actual.getFields();
    for (const field of Object.values(expected.getFields())) {
      const found = actualFields[field.name];
      if (!found) problems.push(`${name}.${field.name} is missing (contract: ${String(field.type)})`);
      else if (!sameType(field.type, found.type)) {
        problems.push(`${name}.${field.name} has type ${String(found.type)}, contract says ${String(field.type)}`);
      }
    }
    for (const field of Object.values(actualFields)) {
      if (!expected.getFields()[field.name] && isRequiredInputField(field)) {
        problems.push(`${name}.${field.name} is required (${String(field.type)}) but not in the contract`);
      }
    }
  }
  if (isEnumType(expected) && isEnumType(actual)) {
    for (const value of expected.getValues()) {
      if (!actual.getValue(value.name)) problems.push(`${name}.${value.name} (enum value) is missing`);
    }
  }
  if (isUnionType(expected) && isUnionType(actual)) {
    const members = actual.getTypes().map((t) => t.name);
    for (const member of expected.getTypes()) {
      if (!members.includes(member.name)) problems.push(`union ${name} lacks member ${member.name}`);
    }
  }
  return problems;
}

const contractTypeNames = userTypes(contract).map((type) => type.name);

describe('schema/schema.graphql honours the contract (schema/contract.graphql)', () => {
  it('reads a non-trivial contract', () => {
    // Guards against a wrong path or an empty file making every check below pass vacuously.
    expect(contractTypeNames).toEqual(expect.arrayContaining(['Query', 'Mutation', 'Subscription', 'Ticket', 'TicketStatus', 'Node']));
    expect(contractTypeNames.length).toBeGreaterThan(40);
  });

  it.each([
    ['query', (s: GraphQLSchema) => s.getQueryType()],
    ['mutation', (s: GraphQLSchema) => s.getMutationType()],
    ['subscription', (s: GraphQLSchema) => s.getSubscriptionType()],
  ] as const)('has the %s root type the contract names', (_operation, root) => {
    expect(root(emitted)?.name).toBe(root(contract)?.name);
  });

  // One test per contract type, so a failure names exactly what is missing or different.
  it.each(contractTypeNames)('%s: every field, argument, input field, enum value and interface', (name) => {
    const problems = contractProblems(name);
    if (problems.length > 0) throw new Error(`${name} differs from the contract:\n  ${problems.join('\n  ')}`);
  });
});

/** Every type, field (input fields too) and argument of the emitted schema that has no description. */
function undocumented(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const blank = (description: string | null | undefined) => !description || description.trim() === '';
  for (const type of userTypes(schema)) {
    if (blank(type.description)) missing.push(`${kindOf(type)} ${type.name}`);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) {
          if (blank(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name}:)`);
        }
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (blank(field.description)) missing.push(`${type.name}.${field.name}`);
      }
    }
  }
  return missing;
}

describe('schema/schema.graphql is documented', () => {
  it('has a description on every type, field and argument', () => {
    const missing = undocumented(emitted);
    if (missing.length > 0) {
      throw new Error(`${missing.length} parts of schema/schema.graphql have no description:\n  ${missing.join('\n  ')}`);
    }
  });
});
