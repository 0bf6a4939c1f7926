import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../shared/sql';
import type { TicketState } from './roll-ups';

/** A timestamptz as whole milliseconds since 1970, rounded down so that it stays in its month. */
const ms = (column: string) => `floor(extract(epoch from ${column}) * 1000)::bigint`;

/**
 * A ticket `t`'s roll-up state (TicketState) as one jsonb value: its row, its tags, and the moves of
 * its timeline reports count (to RESOLVED; from RESOLVED back to work; assignments).
 */
export const STATE_OF_TICKET = `jsonb_build_object(
  'createdAt', ${ms('t.created_at')}, 'status', t.status, 'priority', t.priority, 'channel', t.channel,
  'businessId', t.business_id, 'assigneeId', t.assignee_id, 'title', t.title, 'titleLower', lower(t.title),
  'tagIds', coalesce((select jsonb_agg(tt.tag_id order by tt.tag_id) from ticket_tag tt where tt.ticket_id = t.id), '[]'),
  'firstRespondedAt', ${ms('t.first_responded_at')}, 'firstResponseSeconds', t.first_response_seconds,
  'firstResponseBusinessSeconds', t.first_response_business_seconds, 'firstResponseBreached', t.first_response_breached_at is not null,
  'resolvedAt', ${ms('t.resolved_at')}, 'resolutionSeconds', t.resolution_seconds,
  'resolutionBusinessSeconds', t.resolution_business_seconds, 'resolutionBreached', t.resolution_breached_at is not null,
  'score', t.satisfaction_score,
  'resolvedMoves', coalesce((select jsonb_agg(${ms('e.created_at')} order by e.position) from ticket_event e
    where e.ticket_id = t.id and e.type = 'STATUS_CHANGED' and e.to_status = 'RESOLVED'), '[]'),
  'reopens', coalesce((select jsonb_agg(${ms('e.created_at')} order by e.position) from ticket_event e
    where e.ticket_id = t.id and e.type = 'STATUS_CHANGED' and e.from_status = 'RESOLVED' and e.to_status not in ('RESOLVED', 'CLOSED')), '[]'),
  'assignments', coalesce((select jsonb_agg(jsonb_build_array(${ms('e.created_at')}, e.assigned_to_id) order by e.position) from ticket_event e
    where e.ticket_id = t.id and e.assigned_to_id is not null), '[]'))`;

/** A PostgreSQL array literal of text values, nulls as NULL: one binding for `unnest(?::type[])`. */
export function arrayOf(values: readonly (string | number | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
}

/**
 * A statement with large bindings (thousands of ids, a hundred thousand roll-up rows), sent with them
 * as parameters on the transaction's connection: em.execute would write them into the statement's
 * text, which costs seconds at that size.
 */
export async function queryBound<T>(em: EntityManager, sql: string, bindings: string[]): Promise<T[]> {
  const transaction = em.getTransactionContext<Knex.Transaction>();
  if (!transaction) throw new Error('The roll-ups are read and written inside a transaction.');
  const result = (await em.getKnex().raw(sql, bindings).transacting(transaction)) as { rows: T[] };
  return result.rows;
}

/** The tickets' states now (absent: the ticket is gone). */
export async function currentStates(em: EntityManager, ticketIds: readonly string[]): Promise<Map<string, TicketState>> {
  if (ticketIds.length === 0) return new Map();
  const rows = await queryBound<{ id: string; state: TicketState }>(em, `select t.id, ${STATE_OF_TICKET} as state from ticket t where t.id = any(?::uuid[])`, [pgArray(ticketIds)]);
  return new Map(rows.map((row) => [row.id, row.state]));
}

/** The tickets' states as the roll-ups last counted them (absent: never counted). */
export async function countedStates(em: EntityManager, ticketIds: readonly string[]): Promise<Map<string, TicketState>> {
  if (ticketIds.length === 0) return new Map();
  const rows = await queryBound<{ ticket_id: string; state: TicketState }>(em, `select ticket_id, state from roll_up_ticket where ticket_id = any(?::uuid[])`, [pgArray(ticketIds)]);
  return new Map(rows.map((row) => [row.ticket_id, row.state]));
}
