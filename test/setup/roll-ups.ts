import { rollUpConsumer, ROLL_UP_CONSUMER } from '../../src/modules/reports/roll-up.writer';
import { TicketEvent } from '../../src/modules/tickets/ticket-event.entity';
import type { TestApp } from './test-app';

/**
 * What the feed runner does for the roll-ups' consumer (the test app runs no consumers, so that
 * statement counts stay exact): applies the entries committed after its checkpoint, up to `upTo`
 * entries, and moves the checkpoint past them, in one transaction. Without `upTo`, until every entry
 * written so far is applied (a transaction still running elsewhere, an autovacuum's analyze, holds the
 * timeline's watermark back for a moment).
 */
export async function countRollUps(app: TestApp, upTo?: number): Promise<void> {
  await countBatch(app, upTo);
  if (upTo !== undefined) return;
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const [{ behind }] = await app
      .em()
      .getConnection()
      .execute<{ behind: boolean }[]>(`select exists (select 1 from ticket_event where position > (select position from feed_checkpoint where consumer = ?)) as behind`, [ROLL_UP_CONSUMER]);
    if (!behind) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await countBatch(app);
  }
  throw new Error('The roll-ups consumer did not catch up with the timeline.');
}

async function countBatch(app: TestApp, upTo?: number): Promise<void> {
  await app
    .em()
    .fork()
    .transactional(async (em) => {
      const [{ position }] = await em.execute<{ position: string }[]>('select position from feed_checkpoint where consumer = ? for update', [ROLL_UP_CONSUMER]);
      const [{ watermark }] = await em.execute<{ watermark: string }[]>('select timeline_watermark() as watermark');
      const entries = await em.find(TicketEvent, { position: { $gt: position, $lt: watermark } }, { orderBy: { position: 'asc' }, limit: upTo });
      if (entries.length === 0) return;
      await rollUpConsumer.apply(em, entries);
      await em.execute('update feed_checkpoint set position = ? where consumer = ?', [entries[entries.length - 1].position, ROLL_UP_CONSUMER]);
    });
}

/** Empties the roll-ups and moves their checkpoint back to 0: the reports then count every ticket themselves. */
export async function resetRollUps(app: TestApp): Promise<void> {
  await app
    .em()
    .fork()
    .transactional(async (em) => {
      await em.execute('delete from roll_up');
      await em.execute('delete from roll_up_ticket');
      await em.execute('update feed_checkpoint set position = 0 where consumer = ?', [ROLL_UP_CONSUMER]);
    });
}
