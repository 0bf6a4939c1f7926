import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type PoolClient } from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { urlFor } from './bench-support';
import { fromGlobalId, toGlobalId } from '../src/shared/global-id';

/**
 * The floor of `bench:writes`: the least a server can do for the benchmark's writes. It answers the
 * same POSTs as Ticketgraph and sends PostgreSQL the statements Ticketgraph sends for them, one
 * transaction per request over plain `pg` (pool of 10, Ticketgraph's default): lock the ticket, insert
 * its timeline entries (and the comment), update the ticket, commit. It takes the writer to be the
 * ticket's assignee, read in the statement that locks the ticket. Nothing else: no GraphQL parsing
 * or validation, no ORM, no authentication, no rules, no subscriptions or consumers (its database has
 * none running). How its rate at 32 writers compares with its rate at one writer is what this machine
 * allows a write of this shape, whatever the server around it.
 */

export interface WritesFloor {
  url: string;
  /** SQL statements sent so far. */
  statements(): number;
  stop(): Promise<void>;
}

interface WriteBody {
  variables: { input: { ticketId: string; status?: string; reason?: string | null; body?: string } };
}

interface LockedTicket {
  id: string;
  status: string;
  version: number;
  actor_id: string;
  actor_name: string;
}

const ENTRY_COLUMNS = '(id, created_at, ticket_id, type, actor_id, from_status, to_status, reason, reason_internal, is_internal, ticket_version, details)';

export async function startWritesFloor(database: string): Promise<WritesFloor> {
  const pool = new Pool({ connectionString: urlFor(database), max: 10 });
  let statements = 0;
  const run = (client: PoolClient, sql: string, values: unknown[] = []) => {
    statements += 1;
    return client.query(sql, values);
  };

  /** A comment (`body`) or a status change (`status`, with an internal comment when it has a `reason`) by the ticket's assignee. */
  async function write({ variables: { input } }: WriteBody): Promise<unknown> {
    const client = await pool.connect();
    try {
      await run(client, 'begin');
      const { rows } = await run(
        client,
        'select t.*, u.id as actor_id, u.name as actor_name from ticket t join app_user u on u.id = t.assignee_id where t.id = $1 for update of t',
        [fromGlobalId(input.ticketId)?.id],
      );
      const ticket = rows[0] as LockedTicket;
      const now = new Date();
      const text = input.status === undefined ? input.body : input.reason;
      const commentId = text ? uuidv7() : null;
      if (commentId) {
        await run(client, 'insert into comment (id, created_at, ticket_id, body, is_internal, author_id, author_name) values ($1, $2, $3, $4, $5, $6, $7)', [
          commentId,
          now,
          ticket.id,
          text,
          input.status !== undefined,
          ticket.actor_id,
          ticket.actor_name,
        ]);
      }
      const version = input.status === undefined ? ticket.version : ticket.version + 1;
      const entry = (type: string, from: string | null, to: string | null, reason: string | null, internal: boolean, details: object) => [
        uuidv7(), now, ticket.id, type, ticket.actor_id, from, to, reason, reason !== null, internal, version, JSON.stringify(details),
      ];
      const entries = [
        ...(input.status === undefined ? [] : [entry('STATUS_CHANGED', ticket.status, input.status, input.reason ?? null, false, {})]),
        ...(commentId ? [entry('COMMENTED', null, null, null, input.status !== undefined, { comment: toGlobalId('Comment', commentId) })] : []),
      ];
      const placeholders = entries.map((values, row) => `(${values.map((_, column) => `$${row * values.length + column + 1}`).join(', ')})`).join(', ');
      await run(client, `insert into ticket_event ${ENTRY_COLUMNS} values ${placeholders} returning position`, entries.flat());
      if (input.status === undefined) await run(client, 'update ticket set updated_at = $1 where id = $2', [now, ticket.id]);
      else await run(client, 'update ticket set status = $1, updated_at = $2, version = $3 where id = $4', [input.status, now, version, ticket.id]);
      await run(client, 'commit');
      return input.status === undefined ? { addComment: { comment: { id: toGlobalId('Comment', commentId!) } } } : { changeTicketStatus: { ticket: { status: input.status } } };
    } catch (error) {
      await run(client, 'rollback');
      throw error;
    } finally {
      client.release();
    }
  }

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      write(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WriteBody).then(
        (data) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data })),
        (error: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: String(error) }] })),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    statements: () => statements,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await pool.end();
    },
  };
}
