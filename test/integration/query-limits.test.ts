import { getIntrospectionQuery, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { Client } from 'graphql-ws';
import * as make from '../factories';
import { postQuery } from '../setup/raw-request';
import { startTestApp, type TestApp } from '../setup/test-app';
import { wsClient } from '../setup/ws-client';

let app: TestApp;
let agent: make.Staff;
let ws: Client;

beforeAll(async () => {
  app = await startTestApp();
  agent = await make.staffUser(app);
  ws = wsClient(app.url, agent.token);
});
afterAll(async () => {
  await ws.dispose();
  await app.stop();
});

/** Comment.ticket ↔ Ticket.comments, `levels` fields deep (the issue's attack had 44). */
function deepQuery(levels: number): string {
  const fields: string[] = ['ticket(id: "VGlja2V0OjE=")'];
  while (fields.length < levels - 1) fields.push(...['comments(first: 100)', 'nodes', 'ticket']);
  const chain = fields.slice(0, levels - 1);
  return `{ ${chain.map((f) => `${f} {`).join(' ')} id ${'}'.repeat(chain.length)} }`;
}

const ATTACKS = {
  depth: deepQuery(44),
  aliases: `{ ${Array.from({ length: 500 }, (_, i) => `a${i}: tickets(first: 100) { nodes { id } }`).join(' ')} }`,
  cost: 'query($n: Int) { businesses(first: $n) { nodes { tickets(first: $n) { nodes { comments(first: $n) { nodes { id body } } } } } } }',
  rootFields: `{ ${Array.from({ length: 11 }, (_, i) => `t${i}: tags { name }`).join(' ')} }`,
  tokens: `{ ${'__typename '.repeat(12_000)}}`,
  // The review's amplification: schema walks, aliased, with 40-deep ofType chains (free of depth and cost).
  introspection: `{ ${Array.from({ length: 10 }, (_, i) => `s${i}: __schema { ${[1, 2, 3].map((t) => `${t === 1 ? '' : `t${t}: `}types { fields { type { ${'kind ofType { '.repeat(40)}name${' }'.repeat(40)} } } }`).join(' ')} }`).join(' ')} }`,
};
const VARIABLES = { n: 100 };
const EXPECTED = {
  depth: { limit: 12, measured: 44 },
  aliases: { limit: 30, measured: 500 },
  cost: { limit: 25_000, measured: 1 + 100 * (1 + (1 + 100 * (1 + (1 + 100 * 1)))) },
  rootFields: { limit: 10, measured: 11 },
  tokens: { limit: 10_000, measured: 12_002 },
  introspection: { limit: 300, measured: 10 * (1 + 3 * (3 + 2 * 40 + 1)) },
};
type Kind = keyof typeof ATTACKS;
const kinds = Object.keys(ATTACKS) as Kind[];

/** Runs one operation over the socket; resolves with its result, or with the errors of an `error` message. */
function overSocket(query: string, variables?: Record<string, unknown>): Promise<{ result?: ExecutionResult; errors?: GraphQLFormattedError[] }> {
  return new Promise((resolve) => {
    let result: ExecutionResult | undefined;
    ws.subscribe(
      { query, variables },
      {
        next: (value) => (result = value as ExecutionResult),
        error: (errors) => resolve({ errors: errors as GraphQLFormattedError[] }),
        complete: () => resolve({ result }),
      },
    );
  });
}

describe('cost limits', () => {
  it.each(kinds)('refuses the %s attack over HTTP with QUERY_TOO_COMPLEX, the limit and the measured value, before any SQL', async (kind) => {
    // Anonymous: nothing (not even authentication) needs the database, so any statement would be execution.
    const { result: answer, statements } = await app.countStatements(() => postQuery(app.url, ATTACKS[kind], { variables: VARIABLES }));
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
    const refusal = answer.body.errors!.find((e) => e.extensions?.kind === kind);
    expect(refusal?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', kind, ...EXPECTED[kind] });
    expect(answer.body.errors!.every((e) => e.extensions?.code === 'QUERY_TOO_COMPLEX')).toBe(true);
    expect(statements).toBe(0);
  });

  it.each(kinds)('refuses the %s attack over WebSocket the same way', async (kind) => {
    const { result, errors } = await overSocket(ATTACKS[kind], VARIABLES);
    expect(result).toBeUndefined();
    const refusal = errors!.find((e) => e.extensions?.kind === kind);
    expect(refusal?.extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', kind, ...EXPECTED[kind] });
  });

  it('keeps /healthz answering while attacks arrive', async () => {
    const attacks = Array.from({ length: 20 }, (_, i) => postQuery(app.url, ATTACKS[kinds[i % kinds.length]], { variables: VARIABLES, token: agent.token }));
    const health = await fetch(app.url.replace('/graphql', '/healthz'));
    expect(health.status).toBe(200);
    const answers = await Promise.all(attacks);
    expect(answers.every((a) => a.status === 400)).toBe(true);
  });

  it('puts the cost of a normal query in extensions.cost, over HTTP and WebSocket', async () => {
    const board = `query Board($after: String) {
      tickets(filter: { status: [OPEN, IN_PROGRESS] }, orderBy: { field: DUE_AT, direction: ASC }, first: 50, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          id number title status priority dueAt isOverdue
          assignee { name }
          business { name accountManager { name } }
          tags { name }
          comments(first: 3) { totalCount nodes { body isInternal authorName } }
        }
      }
    }`;
    // tickets: 1 + 50 × (pageInfo 1 + nodes (1 + assignee 1 + business 2 + tags (1 + 100 × 1) + comments (1 + 3 × 1)))
    const requested = 1 + 50 * (1 + (1 + 1 + 2 + 101 + (1 + 3 * 1)));
    const answer = await postQuery(app.url, board, { token: agent.token });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.extensions).toEqual({ cost: { requested, limit: 25_000 } });
    const { result } = await overSocket(board);
    expect(result?.errors).toBeUndefined();
    expect(result?.extensions).toEqual({ cost: { requested, limit: 25_000 } });
  });

  it('costs the same text anew for other variables (costs are remembered per operation and variables)', async () => {
    const sized = 'query Sized($n: Int) { tickets(first: $n) { nodes { comments(first: $n) { nodes { id } } } } }';
    // tickets: 1 + n × (nodes 1 + comments (1 + n × 1))
    const costOf = async (n: number) => {
      const answer = await postQuery(app.url, sized, { variables: { n }, token: agent.token });
      expect(answer.body.errors).toBeUndefined();
      return (answer.body.extensions as { cost: { requested: number } }).cost.requested;
    };
    for (const n of [1, 10, 1, 10]) expect(await costOf(n)).toBe(1 + n * (2 + n));
    // A refused cost is refused again: only costs within the limit are remembered.
    for (let i = 0; i < 2; i += 1) {
      const answer = await postQuery(app.url, ATTACKS.cost, { variables: VARIABLES, token: agent.token });
      expect(answer.status).toBe(400);
      expect(answer.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', kind: 'cost', ...EXPECTED.cost });
    }
  });

  it("refuses lists without a size argument as if each held a full page: the review's contact lists, for a customer", async () => {
    const acme = await make.business(app);
    const customer = await make.customer(app, acme);
    const contacts = 'business { c1: contacts { id name email } c2: contacts { id name email } }';
    const attack = `{ ${Array.from({ length: 10 }, (_, i) => `r${i}: tickets(first: 100) { nodes { ${contacts} } }`).join(' ')} }`;
    const measured = 10 * (1 + 100 * (1 + (1 + 2 * (1 + 100 * 1))));
    const answer = await postQuery(app.url, attack, { token: customer.token });
    expect(answer.status).toBe(400);
    expect(answer.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', kind: 'cost', limit: 25_000, measured });
    const { errors } = await overSocket(attack);
    expect(errors![0].extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', kind: 'cost', limit: 25_000, measured });
  });

  it('holds a subscription to MAX_SUBSCRIPTION_COST when it subscribes, and a normal one to it in extensions.cost', async () => {
    const contacts = Array.from({ length: 10 }, (_, i) => `c${i}: contacts { id name email }`).join(' ');
    const heavy = `subscription { ticketStatusChanged { ticket { business { ${contacts} } } } }`;
    const { result, errors } = await overSocket(heavy);
    expect(result).toBeUndefined();
    expect(errors![0].extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', kind: 'cost', limit: 1000, measured: 1 + (1 + (1 + 10 * 101)) });
    // Apollo does not refuse a subscription sent over HTTP (graphql-js runs its root field once): it is held to the same limit.
    const overHttp = await postQuery(app.url, heavy, { token: agent.token });
    expect(overHttp.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', kind: 'cost', limit: 1000, measured: 1 + (1 + (1 + 10 * 101)) });
  });

  it('lets the standard introspection query through, over HTTP, anonymously', async () => {
    const answer = await postQuery(app.url, getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, schemaDescription: true }));
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
  });

  it('follows the configured limits', async () => {
    const strict = await startTestApp({ MAX_QUERY_DEPTH: '3', MAX_QUERY_COST: '20' });
    try {
      const deep = await postQuery(strict.url, '{ tickets { nodes { business { name } } } }');
      expect(deep.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', kind: 'depth', limit: 3, measured: 4 });
      const costly = await postQuery(strict.url, '{ tickets(first: 20) { nodes { id } } }');
      expect(costly.body.errors![0].extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', kind: 'cost', limit: 20, measured: 21 });
      expect(costly.body.extensions).toEqual({ cost: { requested: 21, limit: 20 } });
    } finally {
      await strict.stop();
    }
  });
});
