import { Repeater } from '@graphql-yoga/subscription';
import { setTimeout as delay } from 'node:timers/promises';
import type { Context } from '../../context';
import type { TicketView } from './view.entity';
import type { ViewCount } from './view.payloads';

/**
 * How long a recount waits after the first change it covers: a burst of changes (a bulk update of
 * 100 tickets commits 100 transactions) costs one count per view, not one per change.
 */
export const VIEW_COUNT_INTERVAL_MS = 500;

/**
 * The views' counts for one subscriber: first each view's count, then a view's new count whenever it
 * changes. Any committed timeline entry the subscriber may see (the timeline hub hears commits of
 * every instance, see realtime/timeline-hub.ts) marks the counts stale; they are recounted, with the
 * subscriber's visibility, at most once per VIEW_COUNT_INTERVAL_MS, and only the changed ones are sent.
 */
export function watchViewCounts(ctx: Context, views: readonly TicketView[]): AsyncIterable<ViewCount> {
  return new Repeater<ViewCount>(async (push, stop) => {
    let stopped = false;
    let stale = false;
    let wake: (() => void) | undefined;
    // The feed keeps nothing: an entry only says "count again".
    const feed = ctx.timeline.feed(ctx, () => {
      stale = true;
      wake?.();
      return null;
    });
    void stop.then(() => {
      stopped = true;
      wake?.();
    });

    const sent = new Map<string, number>();
    const recount = async () => {
      const { views: service } = ctx.services;
      for (const view of views) {
        const count = await service.count(view);
        if (sent.get(view.id) !== count) {
          sent.set(view.id, count);
          await push({ viewId: view.globalId, view, count });
        }
      }
    };

    try {
      await recount();
      while (!stopped) {
        if (!stale) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (stopped) break;
        await Promise.race([delay(VIEW_COUNT_INTERVAL_MS), stop]);
        if (stopped) break;
        stale = false;
        await recount();
      }
    } finally {
      await feed.return();
    }
  });
}
