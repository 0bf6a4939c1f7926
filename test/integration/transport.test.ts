import { getIntrospectionQuery } from 'graphql';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import { wsClient } from '../setup/ws-client';
import { writesNothing } from '../setup/writes-nothing';

/**
 * What reaches the client on the transport's edges: every answer is JSON (never express's HTML page),
 * introspection and "Did you mean …" suggestions go together (on unless INTROSPECTION=false, on HTTP
 * and WebSocket alike), and input PostgreSQL cannot store (NUL characters, dates outside years
 * 1..9999) is BAD_USER_INPUT naming the field, never an internal error.
 */

let app: TestApp;
let closed: TestApp;
let agent: make.Staff;
let ticket: Ticket;

beforeAll(async () => {
  app = await startTestApp({ INBOUND_EMAIL_SECRET: 'inbound-secret-0123456789' });
  closed = await startTestApp({ INTROSPECTION: 'false' });
  agent = await make.staffUser(app, Role.AGENT);
  const acme = await make.business(app, { name: 'Acme' });
  ticket = await make.ticket(app, { business: acme, assignee: agent.user });
});
afterAll(async () => {
  await app.stop();
  await closed.stop();
});

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
  json: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[]; error?: { code: string; message: string } };
}

async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), text, json: text ? JSON.parse(text) : {} };
}

const base = (target: TestApp) => target.url.replace(/\/graphql$/, '');

function post(target: TestApp, body: { query: string; variables?: Record<string, unknown> }, token?: string) {
  return request(target.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

/** A JSON answer, no HTML and no stack, with this status and this code. */
function expectJsonError(answer: Answer, status: number, code: string) {
  expect(answer.contentType).toMatch(/^application\/json/);
  expect(answer.text).not.toMatch(/<html|<!DOCTYPE|\bat .*:\d+:\d+|node_modules/i);
  expect(answer.status).toBe(status);
  const codes = answer.json.error ? [answer.json.error.code] : (answer.json.errors ?? []).map((e) => e.extensions?.code);
  expect(codes).toEqual([code]);
}

describe('every answer is JSON', () => {
  const json = { 'content-type': 'application/json' };

  it('a body that is not JSON, or not a JSON object: 400 BAD_REQUEST', async () => {
    expectJsonError(await request(app.url, { method: 'POST', headers: json, body: '{"query": "{ me { id } }"' }), 400, 'BAD_REQUEST');
    expectJsonError(await request(app.url, { method: 'POST', headers: json, body: '"{ me { id } }"' }), 400, 'BAD_REQUEST');
  });

  it('a body over the limit: 413 PAYLOAD_TOO_LARGE', async () => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(1_100_000) } });
    expectJsonError(await request(app.url, { method: 'POST', headers: json, body }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a charset or content encoding it cannot read: 415 BAD_REQUEST', async () => {
    expectJsonError(await request(app.url, { method: 'POST', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' }), 415, 'BAD_REQUEST');
    expectJsonError(await request(app.url, { method: 'POST', headers: { ...json, 'content-encoding': 'compress' }, body: '{}' }), 415, 'BAD_REQUEST');
  });

  // A browser asking for HTML gets GraphiQL, or with GRAPHIQL=false a JSON 400: see graphiql.test.ts.
  it('a wrong method, a form post: JSON', async () => {
    expectJsonError(await request(app.url, { method: 'PUT', headers: json, body: '{}' }), 405, 'BAD_REQUEST');
    expectJsonError(await request(app.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{ __typename }' }), 400, 'BAD_REQUEST');
  });

  it('an unknown path: 404 NOT_FOUND; under /inbound/email in that endpoint’s own shape', async () => {
    expectJsonError(await request(`${base(app)}/nothing/here`), 404, 'NOT_FOUND');
    expectJsonError(await request(`${base(app)}/healthz`, { method: 'POST' }), 404, 'NOT_FOUND');
    expectJsonError(await request(`${base(app)}/inbound/email/elsewhere`, { method: 'POST', body: 'x' }), 404, 'NOT_FOUND');
    // Without INBOUND_EMAIL_SECRET the endpoint is off.
    const off = await request(`${base(closed)}/inbound/email`, { method: 'POST', body: 'x' });
    expectJsonError(off, 404, 'NOT_FOUND');
    expect(off.json.error?.code).toBe('NOT_FOUND');
  });
});

describe('introspection and suggestions go together', () => {
  const typo = { query: '{ tickts { totalCount } }' };
  const enumTypo = { query: '{ tickets(filter: { status: [OPN] }) { totalCount } }' };
  const variableTypo = { query: 'query($s: [TicketStatus!]) { tickets(filter: { status: $s }) { totalCount } }', variables: { s: ['OPN'] } };

  it('by default: introspection answers, and errors suggest names', async () => {
    const schema = await post(app, { query: getIntrospectionQuery() });
    expect(schema.json.errors).toBeUndefined();
    expect((await post(app, typo)).json.errors![0].message).toMatch(/Did you mean "tickets"/);
    expect((await post(app, enumTypo, agent.token)).json.errors![0].message).toMatch(/Did you mean the enum value "OPEN"/);
    expect((await post(app, variableTypo, agent.token)).json.errors![0].message).toMatch(/Did you mean the enum value "OPEN"/);
  });

  it('with INTROSPECTION=false: introspection is refused and no error names what exists', async () => {
    const schema = await post(closed, { query: '{ __schema { queryType { name } } }' });
    expectJsonError(schema, 400, 'GRAPHQL_VALIDATION_FAILED');
    expectJsonError(await post(closed, { query: '{ __type(name: "Ticket") { name } }' }), 400, 'GRAPHQL_VALIDATION_FAILED');
    for (const body of [typo, enumTypo, variableTypo]) {
      const [error] = (await post(closed, body)).json.errors!;
      expect(error.message).not.toMatch(/Did you mean|"tickets"|"OPEN"/);
      expect(error.message).toMatch(/tickts|OPN/);
    }
  });

  /** The first thing an anonymous WebSocket operation answers: its errors, or its first result. */
  function overWebSocket(target: TestApp, query: string, variables?: Record<string, unknown>): Promise<unknown> {
    const client = wsClient(target.url);
    let hang: NodeJS.Timeout | undefined;
    return new Promise<unknown>((resolve) => {
      client.subscribe({ query, variables }, { next: (value) => resolve(value), error: (error) => resolve(error), complete: () => undefined });
      // Only a hang reaches this: every operation here is answered at once.
      hang = setTimeout(() => resolve('nothing'), 30_000);
    }).finally(() => {
      clearTimeout(hang);
      return client.dispose();
    });
  }

  it('on the WebSocket too', async () => {
    const introspect = '{ __schema { queryType { name } } }';
    const subscriptionTypo = 'subscription { ticketEvnts { id } }';
    const variable = ['subscription($f: TicketEventFilter) { ticketEvents(filter: $f) { id } }', { f: { tickedId: 'x' } }] as const;

    expect(JSON.stringify(await overWebSocket(app, introspect))).toContain('"queryType":{"name":"Query"}');
    expect(JSON.stringify(await overWebSocket(app, subscriptionTypo))).toContain('Did you mean \\"ticketEvents\\"');
    expect(JSON.stringify(await overWebSocket(app, ...variable))).toContain('Did you mean \\"ticketId\\"?');

    expect(JSON.stringify(await overWebSocket(closed, introspect))).toMatch(/introspection has been disabled/);
    for (const answer of [await overWebSocket(closed, subscriptionTypo), await overWebSocket(closed, ...variable)]) {
      expect(JSON.stringify(answer)).toMatch(/ticketEvnts|tickedId/);
      expect(JSON.stringify(answer)).not.toMatch(/Did you mean|ticketEvents\\"\?|ticketId/);
    }
  });
});

describe('input PostgreSQL cannot store is BAD_USER_INPUT naming the field', () => {
  function expectRefused(answer: Answer, field: string) {
    expect(answer.json.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', field]]);
  }

  it('dates outside years 1..9999 in filters and report ranges, as literals or variables', async () => {
    const list = 'query($f: TicketFilter) { tickets(filter: $f) { totalCount } }';
    expectRefused(await post(app, { query: list, variables: { f: { createdBefore: '0000-01-01T00:00:00Z' } } }, agent.token), 'filter.createdBefore');
    // Four-digit years, but the offset carries them past 9999 or before year 1.
    expectRefused(await post(app, { query: list, variables: { f: { createdAfter: '9999-12-31T23:59:59-05:00' } } }, agent.token), 'filter.createdAfter');
    expectRefused(await post(app, { query: list, variables: { f: { createdAfter: '0001-01-01T00:00:00+01:00' } } }, agent.token), 'filter.createdAfter');
    expectRefused(await post(app, { query: '{ tickets(filter: { createdBefore: "0000-01-01T00:00:00Z" }) { totalCount } }' }, agent.token), 'filter.createdBefore');
    const report = '{ reports(range: { from: "0000-06-01T00:00:00Z", to: "0001-06-01T00:00:00Z" }) { ticketVolume { total } } }';
    expectRefused(await post(app, { query: report }, agent.token), 'range.from');
    // The edges themselves are fine.
    const edges = { createdAfter: '0001-01-01T00:00:00Z', createdBefore: '9999-12-31T23:59:59.999Z' };
    expect((await post(app, { query: list, variables: { f: edges } }, agent.token)).json.errors).toBeUndefined();
  });

  it('a due date beyond 10 years (SLA clocks count to it) or dates outside years 1..9999 in mutations, writing nothing', async () => {
    const setDue = 'mutation($i: SetTicketDueDateInput!) { setTicketDueDate(input: $i) { ticket { dueAt } } }';
    const input = (dueAt: string) => ({ i: { ticketId: ticket.globalId, dueAt, justification: 'Agreed' } });
    await writesNothing(app, ['ticket', 'ticket_event'], async () => {
      expectRefused(await post(app, { query: setDue, variables: input('9999-12-31T23:59:59-05:00') }, agent.token), 'dueAt');
      expectRefused(await post(app, { query: setDue, variables: input('9999-12-31T23:59:59Z') }, agent.token), 'dueAt');
      const create = 'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ticket { id } } }';
      const far = { title: 'Later', description: 'Much later.', dueAt: new Date(Date.now() + 11 * 366 * 86_400_000).toISOString() };
      expectRefused(await post(app, { query: create, variables: { i: far } }, agent.token), 'dueAt');
    });
  });

  it('NUL characters in any string: search, login, titles, comments', async () => {
    expectRefused(await post(app, { query: '{ tickets(filter: { search: "a\\u0000b" }) { totalCount } }' }, agent.token), 'filter.search');
    const login = 'mutation($i: LoginInput!) { login(input: $i) { token } }';
    expectRefused(await post(app, { query: login, variables: { i: { email: 'a\u0000@b.example', password: 'password-123' } } }), 'email');
    await writesNothing(app, ['ticket', 'ticket_event', 'comment'], async () => {
      const create = 'mutation($i: CreateTicketInput!) { createTicket(input: $i) { ticket { id } } }';
      expectRefused(await post(app, { query: create, variables: { i: { title: 'Print\u0000er', description: 'Jams.' } } }, agent.token), 'title');
      const comment = 'mutation($i: AddCommentInput!) { addComment(input: $i) { comment { id } } }';
      expectRefused(await post(app, { query: comment, variables: { i: { ticketId: ticket.globalId, body: 'Hi\u0000' } } }, agent.token), 'body');
      const tags = 'mutation($i: SetTicketTagsInput!) { setTicketTags(input: $i) { ticket { id } } }';
      expectRefused(await post(app, { query: tags, variables: { i: { ticketId: ticket.globalId, tags: ['ok', 'b\u0000d'] } } }, agent.token), 'tags');
    });
    const stored = await app.em().findOneOrFail(Ticket, ticket.id);
    expect(stored.status).toBe(TicketStatus.OPEN);
  });
});
