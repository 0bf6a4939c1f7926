import { Client } from 'pg';
import type { Logger } from 'pino';

/** The channel the triggers of Migration20261207010000_change_notices notify on. */
const CHANNEL = 'ticketgraph_changes';
/** How often the listening connection is checked, and how long a check may take before it counts as lost. */
const CHECK_EVERY_MS = 5000;
/** How the listening connection shows in pg_stat_activity. */
const APPLICATION_NAME = 'ticketgraph change notices';
/** How long to wait before listening again after the connection was lost. */
const RECONNECT_AFTER_MS = 1000;

/**
 * A notice names a changed row, `<name>:<key>` (`session:<id>`, `user:<id>`, `apiKey:<id>`, …), or is
 * `slaSettings`. Null means "notices may have been missed": the connection was lost, so a listener
 * forgets everything it cached.
 */
export type ChangeListener = (notice: string | null) => void;

/**
 * Row changes the in-process caches depend on, heard from PostgreSQL on a connection of this
 * instance's own (never the ORM's pool). The triggers notify inside the changing transaction, so a
 * notice goes out when, and only if, that transaction commits, whichever instance or script made it.
 *
 * `live` is true only while the connection listens: a cache stores nothing otherwise, since a change
 * made meanwhile would go unheard. When the connection is lost (an error, or a periodic check that
 * fails) every listener hears null and empties its cache, and the connection is opened again.
 */
export class ChangeNotices {
  private readonly listeners = new Set<ChangeListener>();
  private client: Client | null = null;
  private checker: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  /** The round trip under way (see caughtUp), and the one that starts when it ends. */
  private current: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  live = false;

  constructor(
    private readonly clientUrl: string,
    private readonly logger: Logger,
  ) {}

  /** Listens; resolves once listening (or, if the database cannot be reached now, once it retries in the background). */
  async start(): Promise<void> {
    await this.connect();
    this.checker = setInterval(() => void this.check(), CHECK_EVERY_MS);
    this.checker.unref();
  }

  /** Calls `listener` for every notice; answers the function that stops it. */
  listen(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves once every notice of a transaction that committed before this call has been heard: an
   * empty query on the listening connection. PostgreSQL signals the listeners while the notifying
   * transaction commits, before its client hears that it did, and a listening connection sends the
   * notices it has been signalled before it answers a query; they are parsed (and their listeners
   * called) before the answer. Calls made while one round trip is under way share the next one.
   * Rejects when not listening.
   */
  caughtUp(): Promise<void> {
    if (!this.current) return this.roundTrip();
    this.next ??= this.current.then(
      () => this.roundTrip(),
      () => this.roundTrip(),
    );
    return this.next;
  }

  private roundTrip(): Promise<void> {
    this.next = null;
    const client = this.live ? this.client : null;
    const trip = client ? client.query('').then(() => undefined) : Promise.reject(new Error('change notices are not being heard'));
    this.current = trip;
    const done = () => {
      if (this.current === trip) this.current = null;
    };
    trip.then(done, done);
    return trip;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.checker) clearInterval(this.checker);
    if (this.retry) clearTimeout(this.retry);
    this.live = false;
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.clientUrl, application_name: APPLICATION_NAME, keepAlive: true, query_timeout: CHECK_EVERY_MS });
    this.client = client;
    client.on('notification', (message) => this.emit(message.payload ?? null));
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
      if (this.client === client) this.live = true;
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  private async check(): Promise<void> {
    const client = this.client;
    if (!this.live || !client) return;
    try {
      await client.query('select 1');
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  /** The connection `client` is gone: forget, then listen again (once per lost connection). */
  private lost(client: Client, error: Error): void {
    if (this.client !== client || this.stopped) return;
    this.client = null;
    this.live = false;
    this.logger.warn({ err: error.message }, 'change notices: connection lost; caches emptied until it is back');
    this.emit(null);
    void client.end().catch(() => undefined);
    this.retry = setTimeout(() => void this.connect(), RECONNECT_AFTER_MS);
    this.retry.unref();
  }

  private emit(notice: string | null): void {
    for (const listener of this.listeners) listener(notice);
  }
}
