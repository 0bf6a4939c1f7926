import { LockMode } from '@mikro-orm/core';
import type { EntityDictionary, EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { AttemptResult, DeliveryChannel } from './delivery-channel';
import { Delivery, DeliveryStatus, type DeliveryChannelName } from './delivery.entity';

export interface DispatcherOptions {
  /** How long a claimed delivery is this instance's: after it, another instance may send it again. */
  leaseSeconds: number;
  /** Attempts in flight at once on this instance. */
  concurrency: number;
}

/** How often an idle dispatcher looks for due deliveries (one index scan of the pending rows). */
const POLL_MS = 250;
/** How long an outcome waits for others to be written with it. */
const RECORD_MS = 20;
/** Longest error text kept on a delivery. */
const ERROR_CHARS = 2000;

/** How a recorded attempt ended: sent, to be tried again, given up, or cancelled (not to be sent). */
export type AttemptOutcome = 'delivered' | 'retry' | 'failed' | 'cancelled';
export type OutcomeListener = (channel: DeliveryChannelName, outcome: AttemptOutcome) => void;

interface Outcome {
  channel: DeliveryChannel;
  claimed: Delivery;
  result: AttemptResult;
}

/**
 * Sends due deliveries through their channels, at least once, on every instance at the same time.
 * A claim counts the attempt and moves `next_attempt_at` to the end of the lease in one statement
 * (`for update skip locked`), then the send happens outside any transaction, then the outcome is
 * recorded if the claim is still this one's (same attempt count). A process killed mid-send leaves the
 * row due again when its lease ends; the receiver then sees the same delivery id twice.
 */
export class DeliveryDispatcher {
  private readonly channels = new Map<DeliveryChannelName, DeliveryChannel>();
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private readonly inFlight = new Set<Promise<void>>();
  /** Outcomes waiting to be written, and the write that will take them. */
  private readonly outcomes: Outcome[] = [];
  private recording?: Promise<void>;
  private readonly listeners: OutcomeListener[] = [];

  constructor(
    private readonly orm: MikroORM,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
  ) {}

  register(channel: DeliveryChannel): void {
    if (this.channels.has(channel.channel)) throw new Error(`A ${channel.channel} channel is already registered.`);
    this.channels.set(channel.channel, channel);
  }

  /** Hears every outcome written, after its transaction commits (the metrics count them). */
  onOutcome(listener: OutcomeListener): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          // More may be due when every free slot found work; otherwise wait for a slot or the next look.
          if ((await this.fill()) > 0 && this.inFlight.size < this.options.concurrency) continue;
        } catch (error) {
          this.logger.error({ err: error }, 'delivery dispatch failed');
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_MS);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.all(this.inFlight);
    await this.recording;
  }

  /** Sends everything due now, until nothing is, its outcomes written (tests and scripts); returns the attempts made. */
  async runDue(): Promise<number> {
    let attempts = 0;
    for (;;) {
      const started = await this.fill();
      attempts += started;
      if (this.inFlight.size > 0) {
        await Promise.race(this.inFlight);
      } else {
        await this.recording;
        if (started === 0) return attempts;
      }
    }
  }

  /**
   * Claims as many due deliveries as this instance has free slots and starts their attempts. A slot
   * frees as soon as its attempt ends: a slow receiver holds one slot, never the others' work.
   */
  private async fill(): Promise<number> {
    const free = this.options.concurrency - this.inFlight.size;
    // Claims are made for a quarter of the slots at least (one statement for several rows), unless idle.
    if (free <= 0 || (this.inFlight.size > 0 && free < Math.ceil(this.options.concurrency / 4))) return 0;
    const { em, deliveries } = await this.claim(free);
    for (const delivery of deliveries) {
      const attempt: Promise<void> = this.attempt(em, delivery).finally(() => {
        this.inFlight.delete(attempt);
        this.wake?.();
      });
      this.inFlight.add(attempt);
    }
    return deliveries.length;
  }

  /** Claims up to `limit` due deliveries: counts their attempt and holds them for the lease, in one statement. */
  private async claim(limit: number): Promise<{ em: EntityManager; deliveries: Delivery[] }> {
    const em = this.orm.em.fork();
    const knex = em.getKnex();
    const due = knex('delivery')
      .select('id')
      .where('status', DeliveryStatus.PENDING)
      .andWhere('next_attempt_at', '<=', knex.fn.now())
      .whereIn('channel', [...this.channels.keys()])
      .orderBy('next_attempt_at')
      .limit(limit)
      .forUpdate()
      .skipLocked();
    const rows = await em.execute<EntityDictionary<Delivery>[]>(
      knex('delivery')
        .update({
          attempts: knex.raw('attempts + 1'),
          last_attempt_at: knex.fn.now(),
          next_attempt_at: knex.raw('now() + make_interval(secs => ?)', [this.options.leaseSeconds]),
        })
        .whereIn('id', due)
        .returning('*'),
    );
    const deliveries = rows.map((row) => em.map(Delivery, row)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
    return { em, deliveries };
  }

  /** One attempt, sent with the claim's fork (what the channel reads for one delivery, the next finds loaded), then recorded. */
  private async attempt(em: EntityManager, delivery: Delivery): Promise<void> {
    const channel = this.channels.get(delivery.channel);
    if (!channel) return;
    const started = performance.now();
    let result: AttemptResult;
    try {
      result = await channel.send(em, delivery);
    } catch (error) {
      result = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    result.durationMs ??= Math.round(performance.now() - started);
    // The slot is free again now; the outcome is written with others shortly after.
    this.outcomes.push({ channel, claimed: delivery, result });
    this.recording ??= this.recordSoon();
  }

  /**
   * Outcomes are written together: one transaction for all that ended within RECORD_MS of each other,
   * not four statements each. One that cannot be written leaves its claim in place: the delivery is
   * attempted again when the claim ends.
   */
  private async recordSoon(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, RECORD_MS));
    while (this.outcomes.length > 0) {
      const batch = this.outcomes.splice(0);
      try {
        await this.record(batch);
      } catch (error) {
        this.logger.error({ err: error, deliveries: batch.map((outcome) => outcome.claimed.id) }, 'could not record delivery attempts');
      }
    }
    this.recording = undefined;
  }

  /** Writes each outcome, unless its claim ran out and another attempt has started since. */
  private async record(batch: readonly Outcome[]): Promise<void> {
    const written: [DeliveryChannelName, AttemptOutcome][] = [];
    await this.orm.em.fork().transactional(async (em: EntityManager) => {
      const rows = await em.find(Delivery, { id: { $in: batch.map((outcome) => outcome.claimed.id) }, status: DeliveryStatus.PENDING }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const byId = new Map(rows.map((row) => [row.id, row]));
      const now = new Date();
      for (const { channel, claimed, result } of batch) {
        const delivery = byId.get(claimed.id);
        if (!delivery || delivery.attempts !== claimed.attempts) continue;
        delivery.responseCode = result.responseCode ?? null;
        delivery.durationMs = result.durationMs ?? null;
        delivery.lastError = result.ok ? null : (result.error ?? 'failed').slice(0, ERROR_CHARS);
        if (result.cancelled) {
          delivery.status = DeliveryStatus.CANCELLED;
          written.push([channel.channel, 'cancelled']);
        } else if (result.ok) {
          delivery.status = DeliveryStatus.DELIVERED;
          delivery.deliveredAt = now;
          written.push([channel.channel, 'delivered']);
        } else {
          const delay = result.permanent ? null : channel.retryDelaySeconds(delivery.attempts);
          if (delay === null) delivery.status = DeliveryStatus.FAILED;
          else delivery.nextAttemptAt = new Date(now.getTime() + delay * 1000);
          written.push([channel.channel, delay === null ? 'failed' : 'retry']);
        }
        await channel.afterAttempt?.(em, delivery, result);
      }
    });
    for (const [channel, outcome] of written) for (const listener of this.listeners) listener(channel, outcome);
  }
}
