import { EventEmitter } from 'node:events';
import Redis from 'ioredis';
import type { Logger } from 'pino';

/** What someone is doing on a ticket: looking at it (a `ticketViewers` subscription) or writing a reply. */
export type PresenceKind = 'viewing' | 'typing';

/** Members present on one ticket: `member` strings, each while its lease runs. */
export type PresentMembers = Record<PresenceKind, string[]>;

/**
 * Leases of presence per ticket, shared by every instance, and a bus that says "this ticket's
 * presence changed". A lease not renewed runs out on its own, so an instance that dies leaves
 * nobody behind for longer than the lease. Presence is transient: nothing here is durable.
 */
export interface PresenceStore {
  /** Holds `member` present on the ticket until `ttlMs` from now (renewing an existing lease). */
  hold(ticketId: string, kind: PresenceKind, member: string, ttlMs: number): Promise<void>;
  release(ticketId: string, kind: PresenceKind, member: string): Promise<void>;
  /** The members whose lease has not run out. */
  read(ticketId: string): Promise<PresentMembers>;
  /** Tells every instance (this one too) that the ticket's presence changed. */
  announce(ticketId: string): void;
  onAnnounce(listener: (ticketId: string) => void): void;
  close(): Promise<void>;
}

const KINDS: readonly PresenceKind[] = ['viewing', 'typing'];

/** One instance: leases in a map, announcements through an event emitter. */
export class MemoryPresenceStore implements PresenceStore {
  private readonly leases = new Map<string, Map<string, number>>();
  private readonly bus = new EventEmitter();

  constructor() {
    this.bus.setMaxListeners(0);
  }

  private leasesOf(ticketId: string, kind: PresenceKind): Map<string, number> {
    const key = `${ticketId}:${kind}`;
    let leases = this.leases.get(key);
    if (!leases) this.leases.set(key, (leases = new Map()));
    return leases;
  }

  async hold(ticketId: string, kind: PresenceKind, member: string, ttlMs: number): Promise<void> {
    this.leasesOf(ticketId, kind).set(member, Date.now() + ttlMs);
  }

  async release(ticketId: string, kind: PresenceKind, member: string): Promise<void> {
    const leases = this.leasesOf(ticketId, kind);
    leases.delete(member);
    if (leases.size === 0) this.leases.delete(`${ticketId}:${kind}`);
  }

  async read(ticketId: string): Promise<PresentMembers> {
    const now = Date.now();
    const present = (kind: PresenceKind) => {
      const leases = this.leasesOf(ticketId, kind);
      for (const [member, until] of leases) if (until <= now) leases.delete(member);
      if (leases.size === 0) this.leases.delete(`${ticketId}:${kind}`);
      return [...leases.keys()];
    };
    return { viewing: present('viewing'), typing: present('typing') };
  }

  announce(ticketId: string): void {
    queueMicrotask(() => this.bus.emit('changed', ticketId));
  }

  onAnnounce(listener: (ticketId: string) => void): void {
    this.bus.on('changed', listener);
  }

  async close(): Promise<void> {
    this.bus.removeAllListeners();
  }
}

const CHANNEL = 'ticketgraph:presence';
const keyOf = (ticketId: string, kind: PresenceKind) => `ticketgraph:presence:${ticketId}:${kind}`;

/**
 * Across instances: per ticket and kind a sorted set of members scored by when their lease ends
 * (expired members are left out of reads and trimmed), and a channel for announcements. The key
 * itself expires too, so a ticket nobody looks at any more leaves nothing in Redis.
 */
export class RedisPresenceStore implements PresenceStore {
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly bus = new EventEmitter();

  constructor(
    url: string,
    private readonly logger: Logger,
  ) {
    this.bus.setMaxListeners(0);
    this.commands = new Redis(url);
    this.subscriber = new Redis(url);
    for (const client of [this.commands, this.subscriber]) {
      client.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection problem (presence)'));
    }
    void this.subscriber.subscribe(CHANNEL);
    this.subscriber.on('message', (_channel: string, ticketId: string) => this.bus.emit('changed', ticketId));
  }

  async hold(ticketId: string, kind: PresenceKind, member: string, ttlMs: number): Promise<void> {
    const key = keyOf(ticketId, kind);
    await this.commands.multi().zadd(key, Date.now() + ttlMs, member).pexpire(key, ttlMs * 2).exec();
  }

  async release(ticketId: string, kind: PresenceKind, member: string): Promise<void> {
    await this.commands.zrem(keyOf(ticketId, kind), member);
  }

  async read(ticketId: string): Promise<PresentMembers> {
    const now = Date.now();
    const batch = this.commands.multi();
    for (const kind of KINDS) batch.zremrangebyscore(keyOf(ticketId, kind), '-inf', now).zrangebyscore(keyOf(ticketId, kind), now, '+inf');
    const results = (await batch.exec()) ?? [];
    const members = (index: number) => {
      const [error, value] = results[index] ?? [null, []];
      if (error) throw error;
      return value as string[];
    };
    return { viewing: members(1), typing: members(3) };
  }

  announce(ticketId: string): void {
    void this.commands.publish(CHANNEL, ticketId).catch((error: Error) => this.logger.warn({ err: error.message }, 'presence announcement failed'));
  }

  onAnnounce(listener: (ticketId: string) => void): void {
    this.bus.on('changed', listener);
  }

  async close(): Promise<void> {
    this.bus.removeAllListeners();
    await Promise.allSettled([this.subscriber.quit(), this.commands.quit()]);
  }
}
