import { buildSchema, getIntrospectionQuery, Kind, parse, validate, type DocumentNode, type OperationDefinitionNode, type VariableDefinitionNode } from 'graphql';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { checkCost, costLimitOf } from '../../src/server/limits/cost';
import { tokensRefusal } from '../../src/server/limits/tokens';
import { documentRefusal } from '../../src/server/limits/document-limits';

const root = path.join(__dirname, '..', '..');
const schema = buildSchema(readFileSync(path.join(root, 'schema', 'schema.graphql'), 'utf8'));
const limits = loadConfig({}).queryLimits;

const operationOf = (document: DocumentNode) => document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
const costOf = (query: string, variables?: Record<string, unknown>) => {
  const document = parse(query);
  return checkCost(schema, document, operationOf(document), variables, limits.maxCost).cost;
};
/** The refusal of the cost check, at the limit the operation's type is held to. */
const costRefusal = (query: string) => {
  const document = parse(query);
  const operation = operationOf(document);
  return checkCost(schema, document, operation, undefined, costLimitOf(limits, operation)).refusal?.extensions;
};
/** What the document's limits (not graphql-js's own rules) say of it. */
const refusal = (query: string, custom = limits) => documentRefusal(schema, query, parse, custom)?.extensions;

describe('cost estimator', () => {
  it('counts objects: scalars are free, an object field costs 1 plus its selection', () => {
    expect(costOf('{ me { id name email } }')).toBe(1);
    expect(costOf('{ ticket(id: "x") { id business { name } } }')).toBe(2);
  });

  it('costs a list of objects without a size argument as a full page of 100, each item 1 plus its selection', () => {
    // expertise: 1 + 100 × (1 + 0)
    expect(costOf('{ me { id expertise { name } } }')).toBe(1 + 101);
    // The nodes of a connection are sized by its first, not again by this rule.
    expect(costOf('{ tickets(first: 50) { nodes { id tags { name } } } }')).toBe(1 + 50 * (1 + 101));
    // Lists the server keeps short are costed at their longest: a report row's group (6 dimensions).
    const volume = '{ reports(range: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }) { ticketVolume { groups { count group { key } } } } }';
    expect(costOf(volume)).toBe(1 + (1 + (1 + 100 * (1 + (1 + 6 * 1)))));
  });

  it("refuses the review's attack: aliased contact lists under a page of tickets", () => {
    const aliases = Array.from({ length: 10 }, (_, i) => `r${i}: tickets(first: 100) { nodes { business { c1: contacts { id name email } c2: contacts { id name email } } } }`);
    // Each: tickets 1 + 100 × (nodes 1 + business (1 + 2 × contacts (1 + 100 × 1))).
    const measured = 10 * (1 + 100 * (1 + (1 + 2 * 101)));
    expect(costRefusal(`{ ${aliases.join(' ')} }`)).toEqual({ code: 'QUERY_TOO_COMPLEX', kind: 'cost', limit: limits.maxCost, measured });
  });

  it('holds a subscription to its own, lower limit: its selection runs for every subscriber at each event', () => {
    expect(limits.maxSubscriptionCost).toBe(1000);
    const contacts = Array.from({ length: 10 }, (_, i) => `c${i}: contacts { id }`).join(' ');
    const subscription = `subscription { ticketStatusChanged { ticket { business { ${contacts} } } } }`;
    const measured = 1 + (1 + (1 + 10 * 101));
    expect(measured).toBeLessThan(limits.maxCost);
    expect(costRefusal(subscription)).toEqual({ code: 'QUERY_TOO_COMPLEX', kind: 'cost', limit: 1000, measured });
    expect(costRefusal('subscription { ticketStatusChanged { from to ticket { id tags { name } business { name } } } }')).toBeUndefined();
  });

  it('multiplies a connection by first, by the default page size (20) without it, and caps it at 100', () => {
    // tickets: 1 + first × (nodes: 1 + 0)
    expect(costOf('{ tickets(first: 50) { nodes { id } } }')).toBe(1 + 50 * 1);
    expect(costOf('{ tickets { nodes { id } } }')).toBe(1 + 20 * 1);
    expect(costOf('{ tickets(first: 5000) { nodes { id } } }')).toBe(1 + 100 * 1);
  });

  it('multiplies nested connections, reading first from the variables', () => {
    const query = 'query($n: Int) { businesses(first: $n) { nodes { tickets(first: $n) { nodes { comments(first: $n) { nodes { id } } } } } } }';
    // comments: 1 + n; tickets: 1 + n × (nodes 1 + comments); businesses likewise.
    const cost = (n: number) => 1 + n * (1 + (1 + n * (1 + (1 + n * 1))));
    expect(costOf(query, { n: 2 })).toBe(cost(2));
    expect(costOf(query, { n: 100 })).toBe(cost(100));
  });

  it('sizes a ranked list by limit, with its default', () => {
    expect(costOf('{ ticket(id: "x") { assignmentSuggestions(limit: 3) { agent { name } } } }')).toBe(1 + (1 + 3 * 1));
    expect(costOf('{ ticket(id: "x") { assignmentSuggestions { agent { name } } } }')).toBe(1 + (1 + 5 * 1));
  });

  it('gives no cost when the variables do not fit: execution refuses them before any resolver', () => {
    expect(costOf('query($n: Int) { tickets(first: $n) { nodes { id } } }', { n: 'many' })).toBeUndefined();
  });

  it('refuses fragments that expand beyond what can be costed', () => {
    const fragments = Array.from({ length: 20 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join('\n');
    const document = parse(`{ ...F0 }\n${fragments}\nfragment F20 on Query { me { id } }`);
    const check = checkCost(schema, document, operationOf(document), undefined, limits.maxCost);
    expect(check.refusal?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'cost', limit: limits.maxCost, measured: null });
  });
});

describe('document limits', () => {
  it('report depth, aliases and root fields with the limit and the measured value (graphql-armor wording pinned)', () => {
    expect(refusal('{ me { expertise { name } } }', { ...limits, maxDepth: 2 })).toEqual(
      { code: 'QUERY_TOO_COMPLEX', kind: 'depth', limit: 2, measured: 3 },
    );
    expect(refusal('{ a: me { id } b: me { id } c: me { id } }', { ...limits, maxAliases: 2 })).toEqual(
      { code: 'QUERY_TOO_COMPLEX', kind: 'aliases', limit: 2, measured: 3 },
    );
    expect(refusal('{ me { id } tags { name } ...R } fragment R on Query { slaPolicies { priority } __typename }', { ...limits, maxRootFields: 2 })).toEqual(
      { code: 'QUERY_TOO_COMPLEX', kind: 'rootFields', limit: 2, measured: 3 },
    );
  });

  it('adds no depth for fragments', () => {
    expect(refusal('{ ...A } fragment A on Query { me { ...B } } fragment B on User { expertise { name } }', { ...limits, maxDepth: 3 })).toBeUndefined();
  });

  it('let the standard introspection query through (partners generate clients from it)', () => {
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true });
    expect(refusal(query)).toBeUndefined();
    expect(costOf(query)).toBeLessThan(limits.maxCost);
    const everything = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true });
    expect(refusal(everything)).toBeUndefined();
  });

  it("count the fields selected inside __schema and __type, fragments expanded, and refuse the review's amplification", () => {
    expect(limits.maxIntrospectionFields).toBe(300);
    const ofType = (levels: number): string => (levels === 0 ? 'name' : `kind ofType { ${ofType(levels - 1)} }`);
    const walk = `types { fields { type { ${ofType(40)} } } }`;
    const attack = `{ ${Array.from({ length: 10 }, (_, i) => `s${i}: __schema { ${walk} t2: ${walk} t3: ${walk} }`).join(' ')} }`;
    // Each walk: types, fields, type, 40 × (kind, ofType) and name.
    const measured = 10 * (1 + 3 * (3 + 2 * 40 + 1));
    expect(refusal(attack)).toEqual({ code: 'QUERY_TOO_COMPLEX', kind: 'introspection', limit: 300, measured });
    // The types of the standard query twice, one of them through a fragment at the root: refused too.
    const standard = getIntrospectionQuery();
    const twice = `{ a: __schema { ...S } ...Root } fragment Root on Query { b: __schema { ...S } }
      fragment S on __Schema { types { ...FullType } } ${standard.slice(standard.indexOf('fragment FullType'))}`;
    expect(refusal(twice)).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'introspection', limit: 300 });
    expect(refusal('{ __type(name: "Ticket") { name fields { name type { kind name ofType { kind name } } } } }')).toBeUndefined();
    // A fragment that spreads itself is left to validation, not counted forever.
    expect(refusal('{ __schema { ...A } } fragment A on __Schema { types { name } ...A }')).toBeUndefined();
  });

  it('count tokens first, as the parser does, and leave a document that does not parse to the parser', () => {
    expect(refusal('{ me { id name } }', { ...limits, maxTokens: 6, maxDepth: 1 })).toEqual(
      { code: 'QUERY_TOO_COMPLEX', kind: 'tokens', limit: 6, measured: 7 },
    );
    expect(refusal('{ me { id ', limits)).toBeUndefined();
    expect(tokensRefusal('{ me { id } }', 6)).toBeUndefined();
    expect(tokensRefusal('{ me { id } } # a comment is not a token', 6)).toBeUndefined();
    expect(tokensRefusal('{ me { id name } }', 6)?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'tokens', limit: 6, measured: 7 });
  });
});

/** Placeholder values for an operation's variables: only `first`/`limit` change a cost, and the README passes none. */
function placeholders(definitions: readonly VariableDefinitionNode[]): Record<string, unknown> {
  const sample: Record<string, unknown> = { Int: 1, Boolean: true };
  return Object.fromEntries(definitions.map((d) => [d.variable.name.value, sample[namedTypeOf(d.type)] ?? 'x']));
}
function namedTypeOf(type: VariableDefinitionNode['type']): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeOf(type.type);
}

describe('the README', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]);

  it('has GraphQL examples, the Board query among them', () => {
    expect(blocks.length).toBeGreaterThan(5);
    expect(blocks.some((block) => block.includes('query Board'))).toBe(true);
  });

  it.each(blocks.map((block, i) => [i + 1, block]))('block %i is valid against the schema, each operation as a client would send it', (_n, block) => {
    const document = parse(block as string);
    const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const errors = validate(schema, { kind: Kind.DOCUMENT, definitions: [definition, ...fragments] });
      // A block's fragments serve some of its operations, not all.
      expect(errors.map((error) => error.message).filter((message) => !/is never used/.test(message))).toEqual([]);
    }
  });

  it.each(blocks.map((block, i) => [i + 1, block]))('block %i is within every default limit (a subscription within MAX_SUBSCRIPTION_COST)', (_n, block) => {
    expect(documentRefusal(schema, block as string, parse, limits)).toBeUndefined();
    const document = parse(block as string);
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      // Several examples share a block: each operation is judged alone, as a client would send it.
      const single: DocumentNode = { kind: Kind.DOCUMENT, definitions: [definition] };
      const check = checkCost(schema, single, definition, placeholders(definition.variableDefinitions ?? []), costLimitOf(limits, definition));
      expect(check.refusal).toBeUndefined();
      expect(check.cost).toBeGreaterThanOrEqual(0);
    }
  });
});
