import { Repeater } from '@graphql-yoga/subscription';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { PresenceStore } from './presence-store';

/** How long a viewer stays listed without a renewal: an instance that dies is forgotten this long after. */
export const VIEWING_LEASE_MS = 6_000;
/** How often each instance renews its viewers' leases and looks for leases that ran out. */
export const PRESENCE_HEARTBEAT_MS = 2_000;
/** How long `setTyping(typing: true)` marks a reply in progress; a client still typing sends it again before then. */
export const TYPING_LEASE_MS = 10_000;

/** Who is on a ticket now (user keys), sorted: the payload of `ticketViewers`, shared by the ticket's watchers of one refresh. */
export interface PresenceSnapshot {
  ticketId: string;
  viewerIds: string[];
  typistIds: string[];
}

interface Watcher {
  ticketId: string;
  member: string;
  /** What it was last sent, so nobody is sent the same list twice. */
  sent?: string;
  push(snapshot: PresenceSnapshot): unknown;
}

/**
 * Who else is on a ticket, across instances. Each `ticketViewers` subscription holds a lease
 * (PresenceStore) that this instance renews every PRESENCE_HEARTBEAT_MS while the socket is open;
 * when the subscription ends (the client stops it, or its socket closes) the lease is released at once;
 * when an instance dies, its leases run out after VIEWING_LEASE_MS. Every change is announced to all
 * instances, and each sends its own watchers of that ticket the new list. The heartbeat also rereads
 * the tickets watched here, so a lease that ran out elsewhere shows within a beat.
 */
export class PresenceHub {
  private readonly watchers = new Map<string, Set<Watcher>>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly store: PresenceStore,
    private readonly logger: Logger,
  ) {
    store.onAnnounce((ticketId) => void this.refresh(ticketId));
    this.heartbeat = setInterval(() => void this.beat(), PRESENCE_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /**
   * `userId` views the ticket while the returned stream is read: first the current list, then every
   * change, each as `present` makes it of the snapshot.
   */
  watch<T>(userId: string, ticketId: string, present: (snapshot: PresenceSnapshot) => T): AsyncIterable<T> {
    return new Repeater<T>(async (push, stop) => {
      const watcher: Watcher = { ticketId, member: `${userId}:${randomUUID()}`, push: (snapshot) => push(present(snapshot)) };
      let watchers = this.watchers.get(ticketId);
      if (!watchers) this.watchers.set(ticketId, (watchers = new Set()));
      watchers.add(watcher);
      try {
        await this.store.hold(ticketId, 'viewing', watcher.member, VIEWING_LEASE_MS);
        this.store.announce(ticketId);
        this.deliver(watcher, await this.snapshot(ticketId));
        await stop;
      } finally {
        watchers.delete(watcher);
        if (watchers.size === 0) this.watchers.delete(ticketId);
        await this.store.release(ticketId, 'viewing', watcher.member);
        this.store.announce(ticketId);
      }
    });
  }

  /** Marks (or clears) a reply in progress by `userId`, and answers the ticket's list as it is now. */
  async setTyping(userId: string, ticketId: string, typing: boolean): Promise<PresenceSnapshot> {
    if (typing) await this.store.hold(ticketId, 'typing', userId, TYPING_LEASE_MS);
    else await this.store.release(ticketId, 'typing', userId);
    this.store.announce(ticketId);
    return this.snapshot(ticketId);
  }

  async stop(): Promise<void> {
    clearInterval(this.heartbeat);
    await this.store.close();
  }

  private async snapshot(ticketId: string): Promise<PresenceSnapshot> {
    const present = await this.store.read(ticketId);
    // A member is `<user>:<subscription>`: two tabs of one agent are one viewer.
    const viewerIds = [...new Set(present.viewing.map((member) => member.slice(0, member.indexOf(':'))))].sort();
    // Typing shows only while the typist views the ticket: a closed socket takes the typing mark with it.
    return { ticketId, viewerIds, typistIds: present.typing.filter((id) => viewerIds.includes(id)).sort() };
  }

  private deliver(watcher: Watcher, snapshot: PresenceSnapshot): void {
    const key = JSON.stringify([snapshot.viewerIds, snapshot.typistIds]);
    if (watcher.sent === key) return;
    watcher.sent = key;
    // Not awaited: one slow client must not hold back the others.
    void watcher.push(snapshot);
  }

  private async refresh(ticketId: string): Promise<void> {
    const watchers = this.watchers.get(ticketId);
    if (!watchers) return;
    try {
      const snapshot = await this.snapshot(ticketId);
      for (const watcher of watchers) this.deliver(watcher, snapshot);
    } catch (error) {
      this.logger.warn({ err: error, ticketId }, 'could not read who is on a ticket');
    }
  }

  private async beat(): Promise<void> {
    try {
      await Promise.all([...this.watchers.values()].flatMap((watchers) => [...watchers].map((w) => this.store.hold(w.ticketId, 'viewing', w.member, VIEWING_LEASE_MS))));
    } catch (error) {
      this.logger.warn({ err: error }, 'could not renew presence leases');
    }
    await Promise.all([...this.watchers.keys()].map((ticketId) => this.refresh(ticketId)));
  }
}
