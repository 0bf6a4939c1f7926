import { Repeater } from '@graphql-yoga/subscription';
import { setTimeout as delay } from 'node:timers/promises';
import type { Context } from '../../context';
import { accessClassOf } from '../users/auth/access';
import type { TicketView } from './view.entity';
import type { ViewCount } from './view.payloads';

/**
 * How long a recount waits after the first change it covers: a burst of changes (a bulk update of
 * 100 tickets commits 100 transactions) costs one count per view, not one per change.
 */
export const VIEW_COUNT_INTERVAL_MS = 500;

/** A count being made or made: when it started, and its answer. */
interface SharedCount {
  startedAt: number;
  count: Promise<number>;
}

/**
 * Counts of this instance, per view version and access class (a count depends on nothing else, see
 * accessClassOf): subscribers of one shared view made stale by the same change share one statement.
 */
const shared = new Map<string, SharedCount>();

/**
 * A count started no earlier than `staleSince` (so it sees the change that made it stale), made by
 * `count` unless another subscriber of the same class already started one since.
 */
export function sharedCount(key: string, staleSince: number, count: () => Promise<number>): Promise<number> {
  const known = shared.get(key);
  if (known && known.startedAt >= staleSince) return known.count;
  const made: SharedCount = { startedAt: Date.now(), count: count() };
  shared.set(key, made);
  // Forgotten once a later change makes it stale for everyone; a failed count is not shared.
  const forget = () => {
    if (shared.get(key) === made) shared.delete(key);
  };
  made.count.then(() => setTimeout(forget, VIEW_COUNT_INTERVAL_MS * 4).unref(), forget);
  return made.count;
}

/**
 * The views' counts for one subscriber: first each view's count, then a view's new count whenever it
 * changes. Any committed timeline entry the subscriber may see (the timeline hub hears commits of
 * every instance, see realtime/timeline-hub.ts) marks the counts stale; they are recounted, with the
 * subscriber's visibility, at most once per VIEW_COUNT_INTERVAL_MS, and only the changed ones are sent.
 * Subscribers of the same view and access class share each count (sharedCount).
 */
export function watchViewCounts(ctx: Context, views: readonly TicketView[]): AsyncIterable<ViewCount> {
  return new Repeater<ViewCount>(async (push, stop) => {
    let stopped = false;
    let stale = false;
    /** When the first change not yet counted arrived (the start: everything is to be counted). */
    let staleSince = Date.now();
    let wake: (() => void) | undefined;
    // The feed keeps nothing: an entry only says "count again".
    const feed = ctx.timeline.feed(ctx, () => {
      if (!stale) staleSince = Date.now();
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
      const since = staleSince;
      for (const view of views) {
        const key = `${view.id}:${view.updatedAt.getTime()}:${accessClassOf(ctx.actor)}`;
        const count = await sharedCount(key, since, () => service.count(view));
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
        await Promise.race([delay(VIEW_COUNT_INTERVAL_MS, undefined, { ref: false }), stop]);
        if (stopped) break;
        stale = false;
        await recount();
      }
    } finally {
      await feed.return();
    }
  });
}
