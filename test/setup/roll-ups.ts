import { rollUpConsumer, ROLL_UP_CONSUMER } from '../../src/modules/reports/roll-up.writer';
import { TicketEvent } from '../../src/modules/tickets/ticket-event.entity';
import type { TestApp } from './test-app';

/**
 * Applies the roll-ups' consumer (the test app runs no consumers, so that statement counts stay exact):
 * through the feed runner, everything committed so far; with `upTo`, one batch of that many entries,
 * as the runner applies one (the consumer's apply and the checkpoint's move in one transaction).
 */
export async function countRollUps(app: TestApp, upTo?: number): Promise<void> {
  if (upTo === undefined) await app.app.consumers.catchUp(ROLL_UP_CONSUMER);
  else await countBatch(app, upTo);
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
