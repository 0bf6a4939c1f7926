import type { LoadedEntry } from '../../src/modules/realtime/timeline-hub';
import { MAX_BEHIND, TimelineFeed } from '../../src/modules/realtime/timeline-feed';

/** Entries are opaque to the feed: its `select` decides; here an entry is just a number. */
const entry = (n: number) => ({ n }) as unknown as LoadedEntry;
const numberOf = (e: LoadedEntry) => (e as unknown as { n: number }).n;

function feedFor(select: (e: LoadedEntry) => number | null = numberOf) {
  const ended = jest.fn();
  return { feed: new TimelineFeed<number>(select, ended), ended };
}

async function drain(feed: TimelineFeed<number>, count: number): Promise<number[]> {
  const values: number[] = [];
  for (let i = 0; i < count; i += 1) values.push((await feed.next()).value as number);
  return values;
}

describe('TimelineFeed', () => {
  it('keeps what its select accepts, in order, whether the reader waits or lags', async () => {
    const { feed } = feedFor((e) => (numberOf(e) % 2 === 0 ? numberOf(e) : null));
    const waiting = feed.next();
    feed.offer(entry(1));
    feed.offer(entry(2));
    expect(await waiting).toEqual({ value: 2, done: false });
    for (const n of [3, 4, 5, 6, 8]) feed.offer(entry(n));
    expect(await drain(feed, 3)).toEqual([4, 6, 8]);
  });

  it(`ends with RATE_LIMITED once its reader is ${MAX_BEHIND} messages behind, after what it kept`, async () => {
    const { feed, ended } = feedFor();
    for (let n = 0; n <= MAX_BEHIND + 5; n += 1) feed.offer(entry(n));
    expect(ended).toHaveBeenCalledTimes(1);
    expect(await drain(feed, MAX_BEHIND)).toEqual(Array.from({ length: MAX_BEHIND }, (_, n) => n));
    await expect(feed.next()).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED' } });
    expect(await feed.next()).toEqual({ value: undefined, done: true });
  });

  it('return() wakes a waiting reader, unregisters once and ignores later entries', async () => {
    const { feed, ended } = feedFor();
    const waiting = feed.next();
    await feed.return();
    await feed.return();
    feed.offer(entry(1));
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(await feed.next()).toEqual({ value: undefined, done: true });
    expect(ended).toHaveBeenCalledTimes(1);
  });
});
