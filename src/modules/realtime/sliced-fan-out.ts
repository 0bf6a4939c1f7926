/** Offers a turn of the event loop may make that hand an entry on (a delivery: the receiver took it). */
export const DELIVERIES_PER_TURN = 64;
/** Offers a turn may make in all: passing over a subscriber an entry is not for is cheap, not free. */
export const OFFERS_PER_TURN = 16 * DELIVERIES_PER_TURN;

/**
 * Hands entries to many receivers, in order, a bounded slice per turn of the event loop. Handing an
 * entry on costs each receiver some work (a feed's access check, a socket write), so offering one
 * entry to 10,000 subscribers in a loop would hold the process for the whole storm, and the request
 * that made the change, the database answers it waits for and every other request would wait behind
 * it. Between two slices the loop serves I/O.
 *
 * An entry goes to the receivers there are when its turn to be handed out begins (`receivers(entry)`),
 * each in that order; entries are handed out one after the other, so each receiver gets them in order.
 */
export class SlicedFanOut<E, R> {
  private readonly waiting: E[] = [];
  private current: { entry: E; receivers: R[]; next: number } | null = null;
  private scheduled = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly receivers: (entry: E) => R[],
    /** Hands `entry` to `receiver`; true when it took it (a delivery), false when it was not for it. */
    private readonly offer: (receiver: R, entry: E) => boolean,
    private readonly schedule: (turn: () => void) => void = setImmediate,
    private readonly limits = { deliveries: DELIVERIES_PER_TURN, offers: OFFERS_PER_TURN },
  ) {}

  push(entry: E): void {
    this.waiting.push(entry);
    this.scheduleTurn();
  }

  /** Resolves once every entry pushed so far has been handed to every receiver. */
  drained(): Promise<void> {
    if (!this.current && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private scheduleTurn(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.turn());
  }

  private turn(): void {
    this.scheduled = false;
    let deliveries = 0;
    let offers = 0;
    while (deliveries < this.limits.deliveries && offers < this.limits.offers) {
      if (!this.current) {
        if (this.waiting.length === 0) break;
        const entry = this.waiting.shift()!;
        this.current = { entry, receivers: this.receivers(entry), next: 0 };
      }
      const { entry, receivers } = this.current;
      while (this.current.next < receivers.length && deliveries < this.limits.deliveries && offers < this.limits.offers) {
        offers += 1;
        if (this.offer(receivers[this.current.next++], entry)) deliveries += 1;
      }
      if (this.current.next === receivers.length) this.current = null;
    }
    if (this.current || this.waiting.length > 0) this.scheduleTurn();
    else for (const resolve of this.idle.splice(0)) resolve();
  }
}
