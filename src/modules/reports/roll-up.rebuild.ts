import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { arrayOf, currentStates, queryBound, STATE_OF_TICKET } from './roll-up-state';
import { ROLL_UP_CONSUMER, stageShares, sumStaged } from './roll-up.writer';
import type { TicketState } from './roll-ups';

/**
 * The roll-ups derived afresh, and their check: for a database filled in bulk (seed:load), after a
 * write that bypassed the timeline (a fix in SQL), or to prove the consumer kept them exact
 * (`npm run reports:rebuild -- --check`).
 */

const BATCH = 10_000;

/** Ticket ids in id order, a batch at a time. */
async function* ticketBatches(em: EntityManager, table: 'ticket' | 'roll_up_ticket'): AsyncGenerator<string[]> {
  const column = table === 'ticket' ? 'id' : 'ticket_id';
  let after: string | null = null;
  for (;;) {
    const q = em.getKnex()(table).select(`${column} as id`).orderBy(column).limit(BATCH);
    if (after) q.where(column, '>', after);
    const ids = (await em.execute<{ id: string }[]>(q)).map((row) => row.id);
    if (ids.length === 0) return;
    yield ids;
    after = ids[ids.length - 1];
  }
}

/**
 * Empties the roll-ups and counts every ticket's current state, in one transaction. The consumer's
 * row is locked first, so the consumer waits rather than interleave, and its checkpoint moves to the
 * timeline's watermark of that moment: every entry below it is committed, so its change is counted
 * here (an entry above it names a ticket counted again later, which changes nothing if counted here).
 */
export async function rebuildRollUps(em: EntityManager): Promise<void> {
  await em.transactional(async (tx) => {
    await tx.execute(
      `insert into feed_checkpoint (consumer, position) values (?, timeline_watermark())
       on conflict (consumer) do update set position = greatest(feed_checkpoint.position, excluded.position), updated_at = now()`,
      [ROLL_UP_CONSUMER],
    );
    await tx.execute('delete from roll_up');
    await tx.execute('delete from roll_up_ticket');
    await tx.execute(`create temporary table roll_up_staged (like roll_up) on commit drop`);
    for await (const ids of ticketBatches(tx, 'ticket')) {
      const states = await currentStates(tx, ids);
      await stageShares(tx, 'roll_up_staged', states.values());
      await queryBound(tx, `insert into roll_up_ticket (ticket_id, state) select * from unnest(?::uuid[], ?::jsonb[])`, [
        arrayOf([...states.keys()]),
        arrayOf([...states.values()].map((state) => JSON.stringify(state))),
      ]);
    }
    await sumStaged(tx, 'roll_up_staged', 'roll_up');
  });
}

export interface RollUpDrift {
  /** Tickets whose counted state is not their state now, though no entry after the checkpoint names them (or never counted, or counted but gone). */
  tickets: string[];
  /** Keys of roll_up rows that differ from the sum of the counted states' shares. */
  rows: string[];
}

/**
 * Compares, in one snapshot, what the consumer keeps with what it should: every ticket's counted state
 * with its state now (but for the tickets the entries after the checkpoint name, which reports count
 * themselves), and every roll_up row with the sum of the counted states' shares. At most `limit` of each.
 */
export async function checkRollUps(em: EntityManager, limit = 20): Promise<RollUpDrift> {
  return em.fork().transactional(
    async (tx) => {
      const tickets = await tx.execute<{ id: string }[]>(
        `with pending as (
           select distinct e.ticket_id from ticket_event e where e.position > coalesce((select position from feed_checkpoint where consumer = ?), 0))
         select coalesce(t.id, c.ticket_id) as id
           from (select t.id, ${STATE_OF_TICKET} as state from ticket t) t
           full join roll_up_ticket c on c.ticket_id = t.id
          where c.state is distinct from t.state and coalesce(t.id, c.ticket_id) not in (select ticket_id from pending)
          order by 1 limit ${Number(limit)}`,
        [ROLL_UP_CONSUMER],
      );
      await tx.execute(`create temporary table roll_up_staged (like roll_up) on commit drop`);
      await tx.execute(`create temporary table roll_up_expected (like roll_up) on commit drop`);
      for await (const ids of ticketBatches(tx, 'roll_up_ticket')) {
        const states = await queryBound<{ state: TicketState }>(tx, `select state from roll_up_ticket where ticket_id = any(?::uuid[])`, [`{${ids.join(',')}}`]);
        await stageShares(tx, 'roll_up_staged', states.map((row) => row.state));
      }
      await sumStaged(tx, 'roll_up_staged', 'roll_up_expected');
      const keys = ['measure', 'scope', 'scope_id', 'dimension', 'key', 'month', 'bucket'];
      const rows = await tx.execute<{ key: string }[]>(
        `select concat_ws(' ', ${keys.map((key) => `coalesce(a.${key}, b.${key})`).join(', ')}) as key
           from (select * from roll_up where (count, sum) <> (0, 0)) a
           full join (select * from roll_up_expected where (count, sum) <> (0, 0)) b
             on ${keys.map((key) => `(a.${key} is null) = (b.${key} is null) and coalesce(a.${key}::text, '') = coalesce(b.${key}::text, '')`).join(' and ')}
          where (a.count, a.sum) is distinct from (b.count, b.sum)
          order by 1 limit ${Number(limit)}`,
      );
      return { tickets: tickets.map((row) => row.id), rows: rows.map((row) => row.key) };
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ },
  );
}
