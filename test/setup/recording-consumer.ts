import type { EntityManager } from '@mikro-orm/postgresql';
import type { FeedConsumer } from '../../src/modules/feed/feed-consumer';

/** The table a recording consumer writes: one row per entry it applied, in the order it applied them. */
export const CONSUMED_TABLE = 'create table if not exists consumed (seq bigserial primary key, consumer text not null, position bigint not null)';

/**
 * A consumer that records the position of every entry it applies, in the batch's transaction, then
 * runs `afterRecording` (still inside it: where a test waits, fails or gets killed mid-batch).
 */
export function recordingConsumer(name: string, batchSize: number, afterRecording?: (em: EntityManager) => Promise<void>): FeedConsumer {
  return {
    name,
    batchSize,
    async apply(em, entries) {
      const positions = `{${entries.map((entry) => entry.position).join(',')}}`;
      await em.execute('insert into consumed (consumer, position) select ?, unnest(?::bigint[])', [name, positions]);
      await afterRecording?.(em);
    },
  };
}
