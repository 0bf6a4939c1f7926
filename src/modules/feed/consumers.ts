import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { TIMELINE_TOPIC, type PubSub } from '../realtime/pubsub';
import type { FeedConsumer } from './feed-consumer';
import { entriesBetween, timelineWatermark } from './feed-reader';

export interface ConsumerOptions {
  /** How long a claim holds after its last batch: an instance that dies stops holding it after this. */
  leaseSeconds: number;
  /** The first wait after a failed batch; each further failure doubles it, up to MAX_RETRY_SECONDS. */
  retrySeconds: number;
}

/** How often an idle consumer looks again without being woken (a wake-up lost, a lease to take over). */
const IDLE_MS = 1000;
/**
 * After a wake-up, how long a consumer lets commits gather before it reads: a busy moment's commits
 * make one batch, not one each (at one write a second, a batch per commit would double the statements).
 */
const GATHER_MS = 200;
const MAX_RETRY_SECONDS = 300;
const DEFAULT_BATCH = 500;

/** The position of a consumer's checkpoint ('0' when it has none yet). */
export async function checkpointOf(em: EntityManager, name: string): Promise<string> {
  const [row] = await em.execute<{ position: string }[]>('select position::text as position from feed_checkpoint where consumer = ?', [name]);
  return row?.position ?? '0';
}

/**
 * Runs the registered consumers of the timeline on this instance. Several instances share each
 * consumer: one of them at a time holds its claim (a lease in its checkpoint row, taken with
 * FOR UPDATE SKIP LOCKED) and applies batches; the others wait for the lease to end. A batch is
 * applied in one transaction that takes or keeps the claim, holds the checkpoint row locked and moves
 * the checkpoint past the batch: a process killed mid-batch has its transaction
 * rolled back by PostgreSQL and its lease runs out within `leaseSeconds`, and whoever takes over starts
 * from the checkpoint. A failing batch is retried with exponential backoff, its error kept in the row.
 * Entries are read up to the watermark (feed-reader.ts), so none is passed that commits later.
 */
export class FeedConsumers {
  private readonly consumers = new Map<string, FeedConsumer>();
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private running = false;
  private readonly loops: Promise<void>[] = [];
  /** Loops waiting for a commit (or IDLE_MS), and loops waiting out another instance's claim (woken only by stop). */
  private readonly wakers = new Set<() => void>();
  private readonly resting = new Set<() => void>();
  /** Consumers whose checkpoint row is known to exist. */
  private readonly withRow = new Set<string>();
  private unsubscribe?: () => Promise<unknown>;

  constructor(
    private readonly orm: MikroORM,
    private readonly pubSub: PubSub,
    private readonly logger: Logger,
    private readonly options: ConsumerOptions,
  ) {}

  register(consumer: FeedConsumer): void {
    if (this.consumers.has(consumer.name)) throw new Error(`A feed consumer named ${consumer.name} is already registered.`);
    this.consumers.set(consumer.name, consumer);
  }

  /** Starts one loop per consumer, woken by every commit that wrote timeline entries. */
  start(): void {
    this.running = true;
    const source = this.pubSub.subscribe(TIMELINE_TOPIC)[Symbol.asyncIterator]();
    this.unsubscribe = async () => source.return?.();
    void (async () => {
      while (this.running && !(await source.next()).done) wakeAll(this.wakers);
    })();
    for (const consumer of this.consumers.values()) this.loops.push(this.loop(consumer));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.unsubscribe?.();
    wakeAll(this.wakers);
    wakeAll(this.resting);
    await Promise.all(this.loops);
  }

  /** Applies, through `name`, everything committed before the call (tests and scripts). */
  async catchUp(name: string): Promise<void> {
    const consumer = this.consumers.get(name);
    if (!consumer) throw new Error(`No feed consumer named ${name}.`);
    const target = await timelineWatermark(this.orm.em.fork());
    for (;;) {
      const batch = await this.batch(consumer);
      if (!batch) await this.sleep(50);
      else if (batch.applied < (consumer.batchSize ?? DEFAULT_BATCH) && batch.below >= target) return;
    }
  }

  private async loop(consumer: FeedConsumer): Promise<void> {
    while (this.running) {
      try {
        const batch = await this.batch(consumer);
        // Without the claim, or while a retry waits, a commit changes nothing: look again in a second, to take over or retry.
        if (!batch) await this.sleep(IDLE_MS, this.resting);
        else if (batch.applied < (consumer.batchSize ?? DEFAULT_BATCH)) {
          await this.sleep(IDLE_MS);
          await new Promise((resolve) => setTimeout(resolve, GATHER_MS));
        }
      } catch (error) {
        this.logger.error({ err: error, consumer: consumer.name }, 'feed consumer failed');
        await this.sleep(IDLE_MS);
      }
    }
  }

  /**
   * One batch, in one transaction, if this instance holds the consumer's claim or can take it (null
   * otherwise, or while a retry waits): the checkpoint row is locked with FOR UPDATE SKIP LOCKED where
   * its lease is this instance's, free or run out, the watermark is read in the same statement, and the
   * batch is applied, the checkpoint moved past it and the lease renewed, all or nothing.
   */
  private async batch(consumer: FeedConsumer): Promise<{ applied: number; below: bigint } | null> {
    if (!this.withRow.has(consumer.name)) {
      await this.orm.em.fork().execute('insert into feed_checkpoint (consumer) values (?) on conflict do nothing', [consumer.name]);
      this.withRow.add(consumer.name);
    }
    try {
      return await this.orm.em.fork().transactional(async (em) => {
        // The watermark is the statement's first act in its transaction, so it reads the running
        // transactions afresh; the entries are read by a later statement, which sees all below it.
        const [row] = await em.execute<{ position: string; below: string }[]>(
          `select position::text as position, timeline_watermark()::text as below from feed_checkpoint
            where consumer = ? and (lease_owner = ? or lease_until is null or lease_until < now()) and (retry_at is null or retry_at <= now())
            for update skip locked`,
          [consumer.name, this.owner],
        );
        if (!row) return null;
        const below = BigInt(row.below);
        const entries = await entriesBetween(em, BigInt(row.position), below, consumer.batchSize ?? DEFAULT_BATCH);
        if (entries.length > 0) await consumer.apply(em, entries);
        await em.execute(
          `update feed_checkpoint set position = ?, lease_owner = ?, lease_until = now() + make_interval(secs => ?),
             failures = 0, retry_at = null, last_error = null, updated_at = now() where consumer = ?`,
          [entries.at(-1)?.position ?? row.position, this.owner, this.options.leaseSeconds, consumer.name],
        );
        return { applied: entries.length, below };
      });
    } catch (error) {
      await this.failed(consumer, error);
      throw error;
    }
  }

  /**
   * Keeps the error and puts the next try off: 1, 2, 4 … times `retrySeconds`, at most
   * MAX_RETRY_SECONDS. The failed batch rolled back, claim included: this instance takes the claim here
   * (unless another holds it now), so the retry is its own and the wait is not overtaken.
   */
  private async failed(consumer: FeedConsumer, error: unknown): Promise<void> {
    await this.orm.em.fork().execute(
      `update feed_checkpoint set failures = failures + 1, last_error = ?, updated_at = now(),
         retry_at = now() + make_interval(secs => least(? * power(2, failures), ?)),
         lease_owner = ?, lease_until = now() + make_interval(secs => ?)
       where consumer = ? and (lease_owner = ? or lease_until is null or lease_until < now())`,
      [error instanceof Error ? error.message : String(error), this.options.retrySeconds, MAX_RETRY_SECONDS, this.owner, this.options.leaseSeconds, consumer.name, this.owner],
    );
  }

  private sleep(ms: number, wokenBy = this.wakers): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wokenBy.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wokenBy.add(wake);
    });
  }
}

function wakeAll(sleepers: Set<() => void>): void {
  for (const wake of [...sleepers]) wake();
}
