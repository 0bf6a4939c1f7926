import { SlicedFanOut } from '../../src/modules/realtime/sliced-fan-out';

/**
 * The fan-out is driven by hand: `schedule` only queues a turn, and the test runs them one by one, so
 * what one turn of the event loop does is counted, not timed.
 */
function harness(receiverCount: number, limits = { deliveries: 64, offers: 1024 }) {
  const turns: (() => void)[] = [];
  const receivers = Array.from({ length: receiverCount }, (_, index) => ({ index, got: [] as string[], wants: index % 4 === 0 }));
  let offers = 0;
  let deliveries = 0;
  const fanOut = new SlicedFanOut<string, (typeof receivers)[number]>(
    () => [...receivers],
    (receiver, entry) => {
      offers += 1;
      if (!receiver.wants) return false;
      deliveries += 1;
      receiver.got.push(entry);
      return true;
    },
    (turn) => turns.push(turn),
    limits,
  );
  /** Runs one scheduled turn; what it did. */
  const runTurn = () => {
    const [before, delivered] = [offers, deliveries];
    turns.shift()!();
    return { offers: offers - before, deliveries: deliveries - delivered };
  };
  return { fanOut, receivers, turns, runTurn };
}

describe('SlicedFanOut', () => {
  it('hands 2,000 receivers two entries at most 64 deliveries a turn, everyone in order', () => {
    const { fanOut, receivers, turns, runTurn } = harness(2_000);
    fanOut.push('first');
    fanOut.push('second');
    // Nothing is handed out within push: the caller's turn ends first.
    expect(receivers.some((r) => r.got.length > 0)).toBe(false);
    const done: { offers: number; deliveries: number }[] = [];
    while (turns.length > 0) done.push(runTurn());
    expect(Math.max(...done.map((t) => t.deliveries))).toBe(64);
    // 500 of the 2,000 want each entry: 1,000 deliveries, 16 turns (64 each, the last one 40).
    expect(done.map((t) => t.deliveries)).toEqual([...Array(15).fill(64), 40]);
    expect(done.reduce((sum, t) => sum + t.offers, 0)).toBe(4_000);
    for (const receiver of receivers) expect(receiver.got).toEqual(receiver.wants ? ['first', 'second'] : []);
  });

  it('bounds the offers of a turn too, when few receivers want the entry', () => {
    const { fanOut, turns, runTurn } = harness(3_000, { deliveries: 64, offers: 256 });
    fanOut.push('only');
    const done: number[] = [];
    while (turns.length > 0) done.push(runTurn().offers);
    expect(Math.max(...done)).toBe(256);
    expect(done.reduce((sum, n) => sum + n, 0)).toBe(3_000);
  });

  it('gives an entry to the receivers there are when its turn begins, and says when all is handed out', async () => {
    const { fanOut, receivers, turns, runTurn } = harness(128, { deliveries: 8, offers: 1024 });
    fanOut.push('a');
    let drained = false;
    void fanOut.drained().then(() => (drained = true));
    runTurn();
    const late = { index: 128, got: [] as string[], wants: true };
    receivers.push(late);
    fanOut.push('b');
    while (turns.length > 0) runTurn();
    await Promise.resolve();
    expect(drained).toBe(true);
    // 'a' had begun (its receivers taken) before the late one came; 'b' had not.
    expect(late.got).toEqual(['b']);
    expect(receivers[0].got).toEqual(['a', 'b']);
  });
});
