import type { EntityManager } from '@mikro-orm/postgresql';
import type { FeedConsumer } from '../feed/feed-consumer';
import { countedStates, currentStates, queryBound } from './roll-up-state';
import { addShares, shareDifference, type ShareRow } from './roll-ups';

/** The consumer's name: its checkpoint's key in feed_checkpoint (the migration that made the roll-ups set it). */
export const ROLL_UP_CONSUMER = 'roll-ups';

/** A PostgreSQL array literal of text values, nulls as NULL: one binding for `unnest(?::type[])`. */
function arrayOf(values: readonly (string | number | null)[]): string {
  return `{${values.map((v) => (v === null ? 'NULL' : `"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
}

/**
 * Adds rows to `roll_up` (upserted as sums), each to its month and to its all-time row (month null,
 * which lets a long period be read as all time less the months outside it), in one statement. `table`
 * lets the rebuild's check sum into a copy.
 */
export async function addRows(em: EntityManager, rows: Iterable<ShareRow>, table = 'roll_up'): Promise<void> {
  const sums = new Map<string, ShareRow>();
  for (const row of rows) {
    addShares(sums, [row]);
    addShares(sums, [{ ...row, month: null }]);
  }
  const list = [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
  if (list.length === 0) return;
  const column = <K extends keyof ShareRow>(name: K) => arrayOf(list.map((row) => row[name] as string | number | null));
  await queryBound(
    em,
    `insert into ${table} (measure, scope, scope_id, dimension, key, month, bucket, count, sum)
     select * from unnest(?::text[], ?::text[], ?::uuid[], ?::text[], ?::text[], ?::date[], ?::smallint[], ?::bigint[], ?::bigint[])
     on conflict (measure, scope, dimension, scope_id, month, key, bucket)
     do update set count = ${table}.count + excluded.count, sum = ${table}.sum + excluded.sum`,
    [column('measure'), column('scope'), column('scopeId'), column('dimension'), column('key'), column('month'), column('bucket'), column('count'), column('sum')],
  );
}

/**
 * Counts the tickets' current states in the roll-ups: their new share less the one last counted
 * (`roll_up_ticket`), which then becomes the counted state. Counting a ticket twice changes nothing,
 * so it needs only to see every ticket that changed, not each change once.
 */
export async function countTickets(em: EntityManager, ticketIds: readonly string[]): Promise<void> {
  const ids = [...new Set(ticketIds)].sort();
  if (ids.length === 0) return;
  const [counted, current] = [await countedStates(em, ids), await currentStates(em, ids)];
  const difference = new Map<string, ShareRow>();
  for (const id of ids) shareDifference(counted.get(id) ?? null, current.get(id) ?? null, difference);
  await addRows(em, difference.values());
  const present = ids.filter((id) => current.has(id));
  if (present.length > 0) {
    await queryBound(
      em,
      `insert into roll_up_ticket (ticket_id, state) select * from unnest(?::uuid[], ?::jsonb[]) on conflict (ticket_id) do update set state = excluded.state`,
      [arrayOf(present), arrayOf(present.map((id) => JSON.stringify(current.get(id))))],
    );
  }
  const gone = ids.filter((id) => !current.has(id) && counted.has(id));
  if (gone.length > 0) await em.execute(`delete from roll_up_ticket where ticket_id = any(?::uuid[])`, [arrayOf(gone)]);
}

/**
 * Counts tickets changed by a write that appends no timeline entry (a tag merge rewrites tag links in
 * SQL), in the writer's transaction. The consumer's checkpoint row is locked first: the consumer moves
 * it in the transaction that applies a batch, so the two never count a ticket from the same old state.
 */
export async function countTicketsBesideTheFeed(em: EntityManager, ticketIds: readonly string[]): Promise<void> {
  if (ticketIds.length === 0) return;
  await em.execute('select 1 from feed_checkpoint where consumer = ? for update', [ROLL_UP_CONSUMER]);
  await countTickets(em, ticketIds);
}

/**
 * The roll-ups' feed consumer: every timeline entry names a ticket that changed, and every change that
 * moves a figure writes an entry (tags, business, assignee, priority, channel, status, first response,
 * breaches, rating), so counting the tickets a batch names keeps the roll-ups exact.
 */
export const rollUpConsumer: FeedConsumer = {
  name: ROLL_UP_CONSUMER,
  batchSize: 1000,
  apply: (em, entries) => countTickets(em, entries.map((entry) => entry.ticket.id)),
};
