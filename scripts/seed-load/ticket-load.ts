import { creationTimes } from './creation-times';
import { TicketSim } from './simulation';
import { openSinks } from './sinks';
import type { Totals } from './ticket-state';
import type { World } from './world';

/** Rows written to the big tables besides the tickets. */
export interface LoadedRows {
  comments: number;
  events: number;
  ticketTags: number;
  ratings: number;
}

/**
 * Tickets, their timelines, comments, tags and ratings, in one pass in creation order. Before each
 * ticket, the timeline entries and comments of earlier tickets that happened before its creation are
 * written, so both tables fill in time order.
 */
export async function loadTickets(database: string, world: World, count: number, elapsed: () => string): Promise<LoadedRows> {
  const sinks = await openSinks(database);
  const totals: Totals = { comments: 0 };
  const sim = new TicketSim(world, sinks, totals);
  const times = creationTimes(world.rng, count, world.now);
  const writers = [sinks.tickets, sinks.comments, sinks.events, sinks.ticketTags, sinks.ratings];
  const loadStarted = Date.now();
  const progressEvery = Math.max(1000, Math.round(count / 20));
  for (let i = 0; i < count; i += 1) {
    const created = times[i];
    sinks.eventHeap.drain(created, sinks.events);
    sinks.commentHeap.drain(created, sinks.comments);
    // Five comments a ticket on average: extra conversation makes up for what the story gave so far.
    const deficit = 5 * i - totals.comments;
    sim.run(i, created, Math.min(Math.max(1.4 + deficit / 2000, 0), 6));
    if ((i & 255) === 0) for (const w of writers) await w.flush();
    if ((i + 1) % progressEvery === 0) {
      const seconds = (Date.now() - loadStarted) / 1000;
      console.log(
        `  ${(i + 1).toLocaleString('en')} tickets, ${sinks.comments.rows.toLocaleString('en')} comments, ${sinks.events.rows.toLocaleString('en')} timeline entries ` +
          `(${Math.round((i + 1) / seconds).toLocaleString('en')} tickets/s, ${elapsed()})`,
      );
    }
  }
  sinks.eventHeap.drain(Infinity, sinks.events);
  sinks.commentHeap.drain(Infinity, sinks.comments);
  await Promise.all(writers.map((w) => w.finish()));
  console.log(`loaded ${count.toLocaleString('en')} tickets in ${((Date.now() - loadStarted) / 1000).toFixed(1)} s (${elapsed()})`);
  return { comments: sinks.comments.rows, events: sinks.events.rows, ticketTags: sinks.ticketTags.rows, ratings: sinks.ratings.rows };
}
