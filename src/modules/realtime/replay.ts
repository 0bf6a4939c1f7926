import { Repeater } from '@graphql-yoga/subscription';
import type { Context } from '../../context';
import { badInput } from '../../shared/errors';
import { decodeCursor } from '../../shared/pagination';
import type { TicketEvent } from '../tickets/ticket-event.entity';
import type { EntryFilter } from './subscriber-access';

const PAGE = 200;

/** The timeline position a `since` cursor names; anything else is BAD_USER_INPUT on `since`. */
function positionOf(since: string): string {
  const invalid = () => badInput('since is not a timeline cursor.', 'since');
  let decoded: ReturnType<typeof decodeCursor>;
  try {
    decoded = decodeCursor(since, 2);
  } catch {
    // decodeCursor names the list argument (`after`); here the cursor came as `since`.
    throw invalid();
  }
  const [kind, position] = decoded;
  if (kind !== 'timeline' || typeof position !== 'string' || !/^\d{1,18}$/.test(position)) throw invalid();
  return position;
}

/**
 * Replays, then continues live, without a gap or a duplicate at the seam. The live feed is registered
 * first (its entries wait in it) and the hub says after which position it covers everything; then the
 * past is read from the database in position order, with the viewer's access rules in the SQL, up to a
 * watermark taken after that (feed/feed-reader.ts), so past and live overlap. Live entries at or below
 * what the replay covered are the ones it already sent, and are skipped.
 */
export function replayTimeline(ctx: Context, since: string, wanted: EntryFilter, live: AsyncIterable<TicketEvent>) {
  const start = positionOf(since);
  return new Repeater<TicketEvent>(async (push, stop) => {
    const iterator = live[Symbol.asyncIterator]();
    let next = iterator.next();
    void stop.then(() => iterator.return?.());

    await ctx.timeline.coveredAfter();
    let replayedUpTo = BigInt(start);
    for (;;) {
      const { entries, below } = await ctx.services.tickets.timelineAfter(replayedUpTo.toString(), wanted, PAGE);
      for (const event of entries) {
        await push(event);
        replayedUpTo = BigInt(event.position);
      }
      if (entries.length < PAGE) {
        if (below - 1n > replayedUpTo) replayedUpTo = below - 1n;
        break;
      }
    }
    ctx.freshen();

    for (;;) {
      const result = await Promise.race([next, stop.then(() => null)]);
      if (!result || result.done) break;
      next = iterator.next();
      if (BigInt(result.value.position) > replayedUpTo) await push(result.value);
    }
    stop();
  });
}
