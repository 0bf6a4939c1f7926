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
 * applied in one transaction that holds the checkpoint row locked, checks the claim is still this
 * instance's and moves the checkpoint past the batch: a process killed mid-batch has its transaction
 * rolled back by PostgreSQL and its lease runs out within `leaseSeconds`, and whoever takes over starts
 * from the checkpoint. A failing batch is retried with exponential backoff, its error kept in the row.
 * Entries are read up to the watermark (feed-reader.ts), so none is passed that commits later.
 */
export class FeedConsumers {
  private readonly consumers = new Map<string, FeedConsumer>();
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private running = false;
  private readonly loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
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
      while (this.running && !(await source.next()).done) this.wakeAll();
    })();
    for (const consumer of this.consumers.values()) this.loops.push(this.loop(consumer));
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.unsubscribe?.();
    this.wakeAll();
    await Promise.all(this.loops);
  }

  /** Applies, through `name`, everything committed before the call (tests and scripts). */
  async catchUp(name: string): Promise<void> {
    const consumer = this.consumers.get(name);
    if (!consumer) throw new Error(`No feed consumer named ${name}.`);
    const target = await timelineWatermark(this.orm.em.fork());
    for (;;) {
      if (!(await this.claim(consumer))) {
        await this.sleep(50);
        continue;
      }
      const { applied, below } = await this.batch(consumer);
      if (applied < (consumer.batchSize ?? DEFAULT_BATCH) && below >= target) return;
    }
  }

  private async loop(consumer: FeedConsumer): Promise<void> {
    while (this.running) {
      try {
        const full = (await this.claim(consumer)) && (await this.batch(consumer)).applied >= (consumer.batchSize ?? DEFAULT_BATCH);
        if (!full) {
          await this.sleep(IDLE_MS);
          await new Promise((resolve) => setTimeout(resolve, GATHER_MS));
        }
      } catch (error) {
        this.logger.error({ err: error, consumer: consumer.name }, 'feed consumer failed');
        await this.sleep(IDLE_MS);
      }
    }
  }

  /** Takes or renews this instance's claim on the consumer; false while another instance holds it or a retry waits. */
  private async claim(consumer: FeedConsumer): Promise<boolean> {
    if (!this.withRow.has(consumer.name)) {
      await this.orm.em.fork().execute('insert into feed_checkpoint (consumer) values (?) on conflict do nothing', [consumer.name]);
      this.withRow.add(consumer.name);
    }
    return this.orm.em.fork().transactional(async (em) => {
      const free = await em.execute(
        `select 1 from feed_checkpoint
          where consumer = ? and (lease_owner = ? or lease_until is null or lease_until < now()) and (retry_at is null or retry_at <= now())
          for update skip locked`,
        [consumer.name, this.owner],
      );
      if (free.length === 0) return false;
      await em.execute(`update feed_checkpoint set lease_owner = ?, lease_until = now() + make_interval(secs => ?), updated_at = now() where consumer = ?`, [
        this.owner,
        this.options.leaseSeconds,
        consumer.name,
      ]);
      return true;
    });
  }

  /** One batch under this instance's claim: applied and checkpointed together, or not at all. */
  private async batch(consumer: FeedConsumer): Promise<{ applied: number; below: bigint }> {
    const below = await timelineWatermark(this.orm.em.fork());
    try {
      const applied = await this.orm.em.fork().transactional(async (em) => {
        const [row] = await em.execute<{ position: string }[]>(
          'select position::text as position from feed_checkpoint where consumer = ? and lease_owner = ? for update',
          [consumer.name, this.owner],
        );
        // Another instance took over after this one's lease ran out: it goes on from the checkpoint.
        if (!row) return 0;
        const entries = await entriesBetween(em, BigInt(row.position), below, consumer.batchSize ?? DEFAULT_BATCH);
        if (entries.length > 0) await consumer.apply(em, entries);
        await em.execute(
          `update feed_checkpoint set position = ?, failures = 0, retry_at = null, last_error = null,
             lease_until = now() + make_interval(secs => ?), updated_at = now() where consumer = ?`,
          [entries.at(-1)?.position ?? row.position, this.options.leaseSeconds, consumer.name],
        );
        return entries.length;
      });
      return { applied, below };
    } catch (error) {
      await this.failed(consumer, error);
      throw error;
    }
  }

  /** Keeps the error and puts the next try off: 1, 2, 4 … times `retrySeconds`, at most MAX_RETRY_SECONDS. */
  private async failed(consumer: FeedConsumer, error: unknown): Promise<void> {
    await this.orm.em.fork().execute(
      `update feed_checkpoint set failures = failures + 1, last_error = ?, updated_at = now(),
         retry_at = now() + make_interval(secs => least(? * power(2, failures), ?))
       where consumer = ? and lease_owner = ?`,
      [error instanceof Error ? error.message : String(error), this.options.retrySeconds, MAX_RETRY_SECONDS, consumer.name, this.owner],
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.wakers]) wake();
  }
}
