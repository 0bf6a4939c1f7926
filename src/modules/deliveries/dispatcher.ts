import { LockMode } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
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
/** Longest error text kept on a delivery. */
const ERROR_CHARS = 2000;

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

  constructor(
    private readonly orm: MikroORM,
    private readonly logger: Logger,
    private readonly options: DispatcherOptions,
  ) {}

  register(channel: DeliveryChannel): void {
    if (this.channels.has(channel.channel)) throw new Error(`A ${channel.channel} channel is already registered.`);
    this.channels.set(channel.channel, channel);
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          if ((await this.sendDue()) > 0) continue;
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
  }

  /** Sends everything due now, until nothing is (tests and scripts); returns the attempts made. */
  async runDue(): Promise<number> {
    let attempts = 0;
    for (;;) {
      const sent = await this.sendDue();
      if (sent === 0) return attempts;
      attempts += sent;
    }
  }

  /** Claims one round of due deliveries and attempts them, `concurrency` at a time. */
  private async sendDue(): Promise<number> {
    const claimed = await this.claim();
    let next = 0;
    const worker = async () => {
      while (next < claimed.length) await this.attempt(claimed[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, claimed.length) }, worker));
    return claimed.length;
  }

  private async claim(): Promise<Delivery[]> {
    const em = this.orm.em.fork();
    const knex = em.getKnex();
    const due = knex('delivery')
      .select('id')
      .where('status', DeliveryStatus.PENDING)
      .andWhere('next_attempt_at', '<=', knex.fn.now())
      .whereIn('channel', [...this.channels.keys()])
      .orderBy('next_attempt_at')
      .limit(this.options.concurrency * 4)
      .forUpdate()
      .skipLocked();
    const rows = await em.execute<{ id: string }[]>(
      knex('delivery')
        .update({
          attempts: knex.raw('attempts + 1'),
          last_attempt_at: knex.fn.now(),
          next_attempt_at: knex.raw('now() + make_interval(secs => ?)', [this.options.leaseSeconds]),
        })
        .whereIn('id', due)
        .returning('id'),
    );
    if (rows.length === 0) return [];
    return em.find(Delivery, { id: { $in: rows.map((row) => row.id) } }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const channel = this.channels.get(delivery.channel);
    if (!channel) return;
    const started = performance.now();
    let result: AttemptResult;
    try {
      result = await channel.send(this.orm.em.fork(), delivery);
    } catch (error) {
      result = { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    result.durationMs ??= Math.round(performance.now() - started);
    try {
      await this.record(channel, delivery, result);
    } catch (error) {
      // The claim stays: the delivery is attempted again when it ends.
      this.logger.error({ err: error, delivery: delivery.id }, 'could not record a delivery attempt');
    }
  }

  /** Writes the outcome, unless the claim ran out and another attempt has started since. */
  private async record(channel: DeliveryChannel, claimed: Delivery, result: AttemptResult): Promise<void> {
    await this.orm.em.fork().transactional(async (em: EntityManager) => {
      const delivery = await em.findOne(Delivery, { id: claimed.id, attempts: claimed.attempts, status: DeliveryStatus.PENDING }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!delivery) return;
      const now = new Date();
      delivery.responseCode = result.responseCode ?? null;
      delivery.durationMs = result.durationMs ?? null;
      delivery.lastError = result.ok ? null : (result.error ?? 'failed').slice(0, ERROR_CHARS);
      if (result.cancelled) {
        delivery.status = DeliveryStatus.CANCELLED;
      } else if (result.ok) {
        delivery.status = DeliveryStatus.DELIVERED;
        delivery.deliveredAt = now;
      } else {
        const delay = result.permanent ? null : channel.retryDelaySeconds(delivery.attempts);
        if (delay === null) delivery.status = DeliveryStatus.FAILED;
        else delivery.nextAttemptAt = new Date(now.getTime() + delay * 1000);
      }
      await channel.afterAttempt?.(em, delivery, result);
    });
  }
}
