import type { EntityManager } from '@mikro-orm/postgresql';
import type { FeedConsumer } from '../feed/feed-consumer';
import { arrayOf, countedStates, currentStates, queryBound } from './roll-up-state';
import { addShares, shareDifference, shareOf, type ShareRow, type TicketState } from './roll-ups';

/** The consumer's name: its checkpoint's key in feed_checkpoint (the migration that made the roll-ups set it). */
export const ROLL_UP_CONSUMER = 'roll-ups';

const COLUMNS = 'measure, scope, scope_id, dimension, key, month, bucket, count, sum';
const UNNEST = 'unnest(?::text[], ?::text[], ?::uuid[], ?::text[], ?::text[], ?::date[], ?::smallint[], ?::bigint[], ?::bigint[])';

/** The bindings of UNNEST for rows. */
function columnsOf(rows: readonly ShareRow[]): string[] {
  const column = <K extends keyof ShareRow>(name: K) => arrayOf(rows.map((row) => row[name] as string | number | null));
  return [column('measure'), column('scope'), column('scopeId'), column('dimension'), column('key'), column('month'), column('bucket'), column('count'), column('sum')];
}

/**
 * Adds rows to `roll_up` (upserted as sums), each to its month and to its all-time row (month null,
 * which lets a long period be read as all time less the months outside it), in one statement, in key
 * order (so that two writers lock rows in the same order).
 */
export async function addRows(em: EntityManager, rows: Iterable<ShareRow>): Promise<void> {
  const sums = new Map<string, ShareRow>();
  for (const row of rows) {
    addShares(sums, [row]);
    addShares(sums, [{ ...row, month: null }]);
  }
  const list = [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row);
  if (list.length === 0) return;
  await queryBound(
    em,
    `insert into roll_up (${COLUMNS}) select * from ${UNNEST}
     on conflict (measure, scope, dimension, scope_id, month, key, bucket)
     do update set count = roll_up.count + excluded.count, sum = roll_up.sum + excluded.sum`,
    columnsOf(list),
  );
}

/**
 * For counting many tickets at once (a rebuild, its check): their shares, added to a staging table with
 * roll_up's columns (no key), to be summed into their rows by `sumStaged`. Far quicker than upserting
 * every batch.
 */
export async function stageShares(em: EntityManager, staging: string, states: Iterable<TicketState>): Promise<void> {
  const sums = new Map<string, ShareRow>();
  for (const state of states) addShares(sums, shareOf(state));
  if (sums.size > 0) await queryBound(em, `insert into ${staging} (${COLUMNS}) select * from ${UNNEST}`, columnsOf([...sums.values()]));
}

/** The staged shares summed into `table`: each row of a month, and its all-time row. */
export async function sumStaged(em: EntityManager, staging: string, table: string): Promise<void> {
  await em.execute(
    `insert into ${table} (${COLUMNS})
     select measure, scope, scope_id, dimension, key, month, bucket, sum(count), sum(sum) from ${staging}
      group by grouping sets ((measure, scope, scope_id, dimension, key, month, bucket), (measure, scope, scope_id, dimension, key, bucket))
     having sum(count) <> 0 or sum(sum) <> 0`,
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
