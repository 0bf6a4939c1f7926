import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import {
  AddCommentDocument,
  ApiScope,
  ChangeTicketStatusDocument,
  CreateApiKeyDocument,
  CreateWebhookDocument,
  RedeliverWebhookDeliveryDocument,
  SetTicketDueDateDocument,
  TicketStatus,
  UpdateTicketDocument,
  WebhookEventType,
  WebhooksDocument,
} from '../__generated__/graphql';
import { createClient, type TicketgraphClient } from '../../examples/partner-sync/src/client';
import { TicketStore, type LocalTicket } from '../../examples/partner-sync/src/store';
import { fullSync, pollChanges, startWebhookServer, type WebhookOutcome, type WebhookServer } from '../../examples/partner-sync/src/sync';
import { freePort } from '../../src/db/embedded';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, type GraphQLResponse, type TestApp } from '../setup/test-app';

/**
 * examples/partner-sync against the real server: its functions, as a partner's program calls them,
 * with an API key and a webhook endpoint made through the API. After each step the local copy must
 * equal what the server holds.
 */

let app: TestApp;
let admin: make.Staff;
let agent: make.Staff;
let client: TicketgraphClient;
let dir: string;
let storeFile: string;
let store: TicketStore;
let server: WebhookServer | undefined;
let secret: string;
let port: number;
const outcomes: WebhookOutcome[] = [];
const tickets: Ticket[] = [];

function ok<T>(res: GraphQLResponse<T>): T {
  expect(res.errors).toBeUndefined();
  return res.data!;
}

/** Every ticket as the server holds it, in the local copy's shape. */
async function serverCopy(): Promise<LocalTicket[]> {
  const rows = await app.em().find(Ticket, {}, { orderBy: { number: 'asc' } });
  return rows.map((t) => ({ id: t.globalId, number: t.number, title: t.title, status: t.status, priority: t.priority, version: t.version, updatedAt: t.updatedAt.toISOString() }));
}

/** Everything committed so far turned into webhook messages, and everything due sent (and answered). */
async function deliverAll(): Promise<void> {
  await app.app.consumers.catchUp('webhooks');
  await app.app.deliveries.runDue();
}

beforeAll(async () => {
  app = await startTestApp({ WEBHOOK_ALLOW_PRIVATE: 'true' });
  admin = await make.staffUser(app, Role.ADMIN);
  agent = await make.staffUser(app, Role.AGENT);
  const acme = await make.business(app);
  for (let i = 0; i < 25; i += 1) tickets.push(await make.ticket(app, { business: acme, title: `Synced ${i}` }));
  const key = ok(await app.gql(CreateApiKeyDocument, { input: { name: 'Partner sync', scopes: [ApiScope.TICKETS_READ] } }, admin.token)).createApiKey.key;
  client = createClient(app.url, key);
  dir = await mkdtemp(path.join(os.tmpdir(), 'partner-sync-'));
  storeFile = path.join(dir, 'tickets.json');
  store = await TicketStore.open(storeFile);
});
afterAll(async () => {
  await server?.close();
  await app.stop();
  await rm(dir, { recursive: true, force: true });
});

it('the full pass reads every ticket with cursors, and resumes where an interrupted pass stopped', async () => {
  // The program dies after two pages of ten.
  let pages = 0;
  const dying: TicketgraphClient = {
    request: (document, variables) => (++pages > 2 ? Promise.reject(new Error('killed')) : client.request(document, variables)),
  };
  await expect(fullSync(dying, store, 10)).rejects.toThrow('killed');
  expect(store.all()).toHaveLength(20);

  // Started again, from the file: only the last page is read.
  store = await TicketStore.open(storeFile);
  expect(store.fullPass).toEqual({ cursor: expect.any(String), done: false });
  expect(await fullSync(client, store, 10)).toEqual({ read: 5, applied: 5 });
  expect(store.all()).toEqual(await serverCopy());
  expect(store.fullPass.done).toBe(true);
});

it('webhooks, verified with standardwebhooks, keep the copy current', async () => {
  port = await freePort();
  const created = ok(
    await app.gql(
      CreateWebhookDocument,
      { input: { url: `http://127.0.0.1:${port}/ticketgraph`, events: Object.values(WebhookEventType), includeInternal: false } },
      admin.token,
    ),
  ).createWebhook;
  secret = created.secret;
  server = await startWebhookServer({ port, secret, store, onOutcome: (outcome) => outcomes.push(outcome) });

  const [a, b, c, d] = tickets;
  ok(await app.gql(ChangeTicketStatusDocument, { input: { ticketId: a.globalId, status: TicketStatus.IN_PROGRESS } }, agent.token));
  ok(await app.gql(UpdateTicketDocument, { input: { ticketId: b.globalId, title: 'Renamed by the agent' } }, agent.token));
  ok(await app.gql(AddCommentDocument, { input: { ticketId: c.globalId, body: 'We are on it.' } }, agent.token));
  // Three changes to one ticket: their messages are sent several at a time and may arrive in any order.
  for (const status of [TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.IN_PROGRESS]) {
    ok(await app.gql(ChangeTicketStatusDocument, { input: { ticketId: d.globalId, status, reason: status === TicketStatus.WAITING_ON_CUSTOMER ? 'Need logs' : null } }, agent.token));
  }
  await deliverAll();

  // Each message carries the ticket as it was when composed: of d's three, the first applied holds its last state.
  expect(outcomes.filter((outcome) => outcome === 'applied').length).toBeGreaterThanOrEqual(4);
  expect(outcomes).not.toContain('unverified');
  expect(store.all()).toEqual(await serverCopy());
  expect(store.get(b.globalId)!.title).toBe('Renamed by the agent');
});

it('a replayed or older message changes nothing, and an unsigned one is refused', async () => {
  const before = store.all();
  outcomes.length = 0;

  // The server sends its first message again (same webhook-id, the ticket as it was then).
  const deliveries = ok(await app.gql(WebhooksDocument, { first: 1, deliveries: 50 }, admin.token)).webhooks.nodes[0].deliveries.nodes;
  const oldest = deliveries[deliveries.length - 1];
  ok(await app.gql(RedeliverWebhookDeliveryDocument, { input: { deliveryId: oldest.id } }, admin.token));
  await deliverAll();
  expect(outcomes).toEqual(['stale']);

  // A message signed with another secret: refused (401), nothing applied.
  const ticket = { ...store.get(tickets[0].globalId)!, title: 'Forged', version: 99 };
  const body = JSON.stringify({ type: 'TICKET_UPDATED', timestamp: new Date().toISOString(), data: { ticket } });
  const forged = new Webhook(Buffer.from('not-the-secret-not-the-secret!!!').toString('base64')).sign('msg_forged', new Date(), body);
  const response = await fetch(server!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': forged },
    body,
  });
  expect(response.status).toBe(401);
  expect(outcomes).toEqual(['stale', 'unverified']);
  expect(store.all()).toEqual(before);
});

it('the poll on updatedAt catches what no webhook told of, and re-reading its overlap is harmless', async () => {
  const [, , , , e, f] = tickets;
  // A due date set by hand is an internal change: it reaches no endpoint without includeInternal, but
  // the ticket's version grows.
  const dueAt = new Date(Date.now() + 86_400_000).toISOString();
  ok(await app.gql(SetTicketDueDateDocument, { input: { ticketId: e.globalId, dueAt, justification: 'Agreed on the phone' } }, agent.token));
  // A change made while the program was down: its message fails now and is retried later.
  await server!.close();
  server = undefined;
  ok(await app.gql(UpdateTicketDocument, { input: { ticketId: f.globalId, title: 'Changed while down' } }, agent.token));
  await deliverAll();

  expect(store.get(e.globalId)!.version).toBeLessThan((await serverCopy()).find((t) => t.id === e.globalId)!.version);
  expect(store.all()).not.toEqual(await serverCopy());
  const caught = await pollChanges(client, store);
  expect(caught.applied).toBe(2);
  expect(store.all()).toEqual(await serverCopy());

  // The next poll reads the overlap again and applies nothing; the file holds the same copy.
  const again = await pollChanges(client, store);
  expect(again.read).toBeGreaterThan(0);
  expect(again.applied).toBe(0);
  expect((await TicketStore.open(storeFile)).all()).toEqual(await serverCopy());
});
