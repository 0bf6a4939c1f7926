import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parse, type DocumentNode } from 'graphql';
import ts from 'typescript';
import { TicketEvent, TicketEventType } from '../../src/modules/tickets/ticket-event.entity';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import { startWebhookReceiver, type WebhookReceiver } from '../setup/webhook-receiver';
import { subscribe, wsClient } from '../setup/ws-client';

/**
 * docs/partners.md, executed: every fenced block of the guide runs here against the real server, in the
 * order written, as the reader its `# as:` line names (the format is described at the top of the
 * guide). A block of a kind this file does not run fails the first test, so no example goes unchecked.
 */

const GUIDE = readFileSync(path.resolve(__dirname, '../../docs/partners.md'), 'utf8');

interface Block {
  info: string;
  body: string;
  line: number;
}

interface Example {
  as: string;
  error?: string;
  repeat: number;
  query: string;
  line: number;
  variables?: Record<string, unknown>;
  answer?: Record<string, unknown>;
}

const blocks: Block[] = [...GUIDE.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
  info: m[1].trim(),
  body: m[2],
  line: GUIDE.slice(0, m.index).split('\n').length,
}));

const examples: Example[] = [];
for (const block of blocks) {
  if (block.info === 'graphql') {
    const header = (name: string) => block.body.match(new RegExp(`^# ${name}: (.+)$`, 'm'))?.[1].trim();
    examples.push({ as: header('as') ?? '', error: header('error'), repeat: Number(header('repeat') ?? 1), query: block.body, line: block.line });
  } else if (block.info === 'json variables') examples[examples.length - 1].variables = JSON.parse(block.body);
  else if (block.info === 'json answer') examples[examples.length - 1].answer = JSON.parse(block.body);
}
const code = (exported: string) => blocks.find((b) => b.info === 'ts' && b.body.includes(`export function ${exported}(`))!.body;

/** A `ts` block of the guide, compiled and loaded as a CommonJS module. */
function load<T>(source: string): T {
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText;
  const module = { exports: {} as T };
  new Function('require', 'module', 'exports', js)(require, module, module.exports);
  return module.exports;
}

let app: TestApp;
let receiver: WebhookReceiver;
const fixtures: Record<string, string> = {};
const tokens: Record<string, string | undefined> = { anonymous: undefined, 'invalid token': 'not-a-token' };
const answers: unknown[] = [];

/** The first value of `field` in the latest answer that has one. */
function fromAnswers(field: string): unknown {
  const find = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(find).find((v) => v !== undefined);
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      return field in record ? record[field] : Object.values(record).map(find).find((v) => v !== undefined);
    }
    return undefined;
  };
  return [...answers].reverse().map(find).find((v) => v !== undefined);
}

/** `"<name>"` becomes a fixture's value, or that field of an earlier answer. */
function fill(variables: Record<string, unknown> = {}): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      const placeholder = typeof value === 'string' && value.match(/^<(.+)>$/)?.[1];
      if (!placeholder) return [name, value];
      const filled = fixtures[placeholder] ?? fromAnswers(placeholder);
      if (filled === undefined) throw new Error(`nothing fills <${placeholder}>`);
      return [name, filled];
    }),
  );
}

function tokenOf(as: string): string | undefined {
  if (as === 'key') return fromAnswers('key') as string;
  if (!(as in tokens)) throw new Error(`unknown reader "${as}"`);
  return tokens[as];
}

async function post(query: string, variables: Record<string, unknown>, token: string | undefined) {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { response, body: (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[]; extensions?: unknown } };
}

async function run(example: Example) {
  const document: DocumentNode = parse(example.query);
  const variables = fill(example.variables);
  const token = tokenOf(example.as);
  const isSubscription = document.definitions.some((d) => d.kind === 'OperationDefinition' && d.operation === 'subscription');
  if (isSubscription) {
    const client = wsClient(app.url, token);
    const stream = subscribe(client, document, variables);
    try {
      const received = await stream.waitFor(1).catch((e: Error) => { throw new Error(`${e.message} ${JSON.stringify(stream.errors)}`); });
      expect(stream.errors).toEqual([]);
      expect(received[0].errors).toBeUndefined();
      return received[0];
    } finally {
      stream.stop();
      await client.dispose();
    }
  }
  const { body } = await post(example.query, variables, token);
  if (example.error) {
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual([example.error]);
  } else {
    expect(body.errors).toBeUndefined();
  }
  if (example.answer) expect(body).toMatchObject(example.answer);
  return body;
}

beforeAll(async () => {
  // The documented defaults of the rate limits, not the test suites' raised ones: the guide shows them.
  app = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true', RATE_LIMIT_POINTS: '600', RATE_LIMIT_ANONYMOUS_POINTS: '120' });
  receiver = await startWebhookReceiver();
  const acme = await make.business(app, { name: 'Acme' });
  const customer = await make.customer(app, acme);
  tokens.customer = customer.token;
  tokens.agent = (await make.staffUser(app, Role.AGENT)).token;
  tokens.admin = (await make.staffUser(app, Role.ADMIN)).token;
  const [first] = [await make.ticket(app, { business: acme, title: 'Printer jams' }), await make.ticket(app, { business: acme }), await make.ticket(app, { business: acme })];
  Object.assign(fixtures, {
    'customer email': customer.contact.email,
    'customer password': make.PASSWORD,
    ticketId: first.globalId,
    businessId: acme.globalId,
    'webhook url': receiver.url('/ticketgraph'),
  });
});
afterAll(async () => {
  await receiver.close();
  await app.stop();
});

describe('docs/partners.md', () => {
  it('holds only blocks this test runs, and names a reader for every GraphQL example', () => {
    const kinds = new Set(blocks.map((b) => b.info));
    expect([...kinds].filter((k) => !['graphql', 'json variables', 'json answer', 'ts', 'http headers'].includes(k))).toEqual([]);
    expect(examples.filter((e) => !['anonymous', 'customer', 'agent', 'admin', 'key', 'invalid token'].includes(e.as))).toEqual([]);
    expect(examples.length).toBeGreaterThan(10);
    expect(readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8')).toContain('(docs/partners.md)');
  });

  it.each(examples.map((e, i) => [`#${i + 1}, line ${e.line}, as ${e.as}${e.error ? `, refused ${e.error}` : ''}`, e] as const))('example %s', async (_name, example) => {
    const first = await run(example);
    answers.push(first);
    for (let again = 1; again < example.repeat; again += 1) {
      // A repeat (an idempotent retry) answers exactly what the first request did.
      expect(await run(example)).toEqual(first);
    }
  });

  it('answers with the RateLimit headers shown', async () => {
    const shown = Object.fromEntries(
      blocks
        .find((b) => b.info === 'http headers')!
        .body.trim()
        .split('\n')
        .map((line) => line.split(': ') as [string, string]),
    );
    const { response } = await post('{ __typename }', {}, tokenOf('key'));
    expect(response.headers.get('ratelimit-limit')).toBe(shown['RateLimit-Limit']);
    expect(response.headers.get('ratelimit-policy')).toBe(shown['RateLimit-Policy']);
    expect(Number(response.headers.get('ratelimit-remaining'))).toBeLessThan(Number(shown['RateLimit-Limit']));
    expect(Number(response.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    expect(Number(response.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(Number(shown['RateLimit-Reset']));
  });

  it("the guide's resuming client replays after a cursor, continues live, and resumes after a dropped connection", async () => {
    type Entry = { cursor: string; id: string; type: string; ticket: { id: string } };
    const { followTimeline } = load<{ followTimeline: (url: string, token: string, since: string | null, handle: (e: Entry) => void) => () => void }>(code('followTimeline'));
    const token = tokenOf('key')!;
    const history = await post('query($t: ID!) { ticket(id: $t) { history(first: 1) { nodes { cursor } } } }', { t: fixtures.ticketId }, token);
    const since = (history.body.data as { ticket: { history: { nodes: { cursor: string }[] } } }).ticket.history.nodes[0].cursor;
    const comment = (body: string) => post('mutation($t: ID!, $b: String!) { addComment(input: { ticketId: $t, body: $b }) { comment { id } } }', { t: fixtures.ticketId, b: body }, tokens.agent);
    const proxy = await startCuttableProxy(Number(new URL(app.url).port));
    const seen: Entry[] = [];
    const stop = followTimeline(`ws://127.0.0.1:${proxy.port}/graphql`, token, since, (entry) => seen.push(entry));
    try {
      // The two other fixture tickets were created after the first one, and the guide's idempotent
      // example opened one more: all replayed, oldest first.
      await waitUntil(() => seen.length >= 3);
      const created = await app.em().find(TicketEvent, { type: TicketEventType.CREATED }, { orderBy: { position: 'asc' } });
      expect(seen.slice(0, 3).map((e) => e.id)).toEqual(created.slice(1).map((e) => e.globalId));
      await comment('Live now');
      await waitUntil(() => seen.length === 4);
      // The connection drops; a change made meanwhile arrives once the client has subscribed again.
      proxy.cut();
      await comment('While you were away');
      await waitUntil(() => seen.length === 5);
      expect(proxy.connections()).toBe(2);
      const comments = await app.em().find(TicketEvent, { type: TicketEventType.COMMENTED }, { orderBy: { position: 'asc' } });
      expect(seen.slice(3).map((e) => e.id)).toEqual(comments.map((e) => e.globalId));
      expect(seen.slice(3).map((e) => e.ticket.id)).toEqual([fixtures.ticketId, fixtures.ticketId]);
      expect(new Set(seen.map((e) => e.cursor)).size).toBe(seen.length);
    } finally {
      stop();
      await proxy.close();
    }
  });

  it("the guide's verifier accepts what the server signed and refuses an altered body", async () => {
    const { verifyMessage } = load<{ verifyMessage: (secret: string, headers: Record<string, string>, body: Buffer | string) => { type: string } }>(code('verifyMessage'));
    const secret = fromAnswers('secret') as string;
    await app.app.consumers.catchUp('webhooks');
    await app.app.deliveries.runDue();
    const received = receiver.at('/ticketgraph');
    expect(received.length).toBeGreaterThan(0);
    const types = received.map((request) => verifyMessage(secret, request.headers, request.body).type);
    // The idempotent example opened one ticket, however often it was sent.
    expect(types.filter((t) => t === 'TICKET_CREATED')).toHaveLength(1);
    const altered = Buffer.from(received[0].body.toString().replace('"type"', '"typo"'));
    expect(() => verifyMessage(secret, received[0].headers, altered)).toThrow();
  });
});

/** A TCP relay to the server whose connections the test can drop, as a flaky network would. */
async function startCuttableProxy(target: number) {
  const open = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((inbound) => {
    accepted += 1;
    const outbound = net.connect(target, '127.0.0.1');
    for (const socket of [inbound, outbound]) {
      open.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        open.delete(socket);
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => accepted,
    cut: () => open.forEach((socket) => socket.destroy()),
    close: () => new Promise<void>((resolve) => {
      open.forEach((socket) => socket.destroy());
      server.close(() => resolve());
    }),
  };
}

async function waitUntil(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !condition(); ) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
