import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { TicketChangesDocument, type TicketFilter } from './__generated__/graphql';
import type { TicketgraphClient } from './client';
import type { LocalTicket, TicketStore } from './store';

/** Tickets per page (the API allows 1 to 100). */
export const PAGE_SIZE = 100;

/**
 * How far before the watermark a poll starts. A change is stamped when it is made but seen only once
 * its transaction commits, so a slow transaction can show up with an `updatedAt` a little older than
 * changes already read; re-reading this margin is harmless (versions make it idempotent).
 */
export const POLL_OVERLAP_MS = 60_000;

export interface SyncResult {
  /** Tickets read from the API. */
  read: number;
  /** Tickets that were new or newer than the local copy. */
  applied: number;
}

/** Walks the ticket pages (oldest change first) from `after`, applying each page and saving after it. */
async function walk(
  client: TicketgraphClient,
  store: TicketStore,
  filter: TicketFilter | null,
  after: string | null,
  pageSize: number,
  onPage: (endCursor: string | null) => void,
): Promise<SyncResult> {
  const result: SyncResult = { read: 0, applied: 0 };
  let cursor = after;
  for (;;) {
    const { tickets } = await client.request(TicketChangesDocument, { first: pageSize, after: cursor, filter });
    for (const ticket of tickets.nodes) {
      result.read += 1;
      if (store.apply(ticket)) result.applied += 1;
      store.advanceWatermark(ticket.updatedAt);
    }
    cursor = tickets.pageInfo.endCursor ?? cursor;
    onPage(cursor);
    await store.save();
    if (!tickets.pageInfo.hasNextPage) return result;
  }
}

/**
 * The first pass: every ticket the key may read, page by page with cursors, in the order they last
 * changed. The cursor is saved after each page, so an interrupted pass resumes where it stopped; a
 * ticket that changes during the pass moves to the end of the order and is read again there.
 */
export async function fullSync(client: TicketgraphClient, store: TicketStore, pageSize = PAGE_SIZE): Promise<SyncResult> {
  if (store.fullPass.done) return { read: 0, applied: 0 };
  const result = await walk(client, store, null, store.fullPass.cursor, pageSize, (cursor) => store.setFullPass(cursor, false));
  store.setFullPass(null, true);
  await store.save();
  return result;
}

/**
 * The fallback poll: tickets changed since the watermark (less POLL_OVERLAP_MS), oldest first. It
 * catches what no webhook told of: messages lost while this program was down, and changes the
 * endpoint does not receive (internal ones without includeInternal).
 */
export async function pollChanges(client: TicketgraphClient, store: TicketStore, pageSize = PAGE_SIZE, overlapMs = POLL_OVERLAP_MS): Promise<SyncResult> {
  if (!store.fullPass.done) throw new Error('Run fullSync first: a poll only reads changes since the full pass.');
  const since = store.watermark === null ? null : new Date(Date.parse(store.watermark) - overlapMs).toISOString();
  return walk(client, store, since === null ? null : { updatedAfter: since }, null, pageSize, () => {});
}

/** The ticket in a webhook message (`data.ticket`), with the fields the local copy keeps. */
function ticketOf(message: unknown): LocalTicket | null {
  const ticket = (message as { data?: { ticket?: Record<string, unknown> } }).data?.ticket;
  if (!ticket || typeof ticket.id !== 'string' || typeof ticket.version !== 'number') return null;
  return {
    id: ticket.id,
    number: ticket.number as number,
    title: ticket.title as string,
    status: ticket.status as LocalTicket['status'],
    priority: ticket.priority as LocalTicket['priority'],
    version: ticket.version,
    updatedAt: ticket.updatedAt as string,
  };
}

/** What became of one webhook request. */
export type WebhookOutcome = 'applied' | 'stale' | 'ignored' | 'unverified';

/**
 * One webhook request: verified with the standardwebhooks library (signature and timestamp), then
 * applied to the store. A replay (same `webhook-id`), or a message older than the copy held, changes
 * nothing: the ticket's `version` decides. Messages without a ticket (PING) are ignored.
 */
export async function handleWebhook(store: TicketStore, secret: string, body: string, headers: Record<string, string>): Promise<WebhookOutcome> {
  let message: unknown;
  try {
    message = new Webhook(secret).verify(body, headers);
  } catch (error) {
    if (error instanceof WebhookVerificationError) return 'unverified';
    throw error;
  }
  const ticket = ticketOf(message);
  if (!ticket) return 'ignored';
  if (!store.apply(ticket)) return 'stale';
  await store.save();
  return 'applied';
}

export interface WebhookServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Receives webhooks on `port` (0: any free port) at any path. Answers 204 once the message is saved
 * (or was already held), and 401 to a request that fails verification; any other answer makes
 * Ticketgraph retry later, which is safe.
 */
export function startWebhookServer(options: { port: number; host?: string; secret: string; store: TicketStore; onOutcome?: (outcome: WebhookOutcome) => void }): Promise<WebhookServer> {
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) if (typeof value === 'string') headers[name] = value;
      handleWebhook(options.store, options.secret, Buffer.concat(chunks).toString('utf8'), headers).then(
        (outcome) => {
          options.onOutcome?.(outcome);
          response.writeHead(outcome === 'unverified' ? 401 : 204).end();
        },
        () => response.writeHead(500).end(),
      );
    });
  });
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://${host}:${port}/`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}
