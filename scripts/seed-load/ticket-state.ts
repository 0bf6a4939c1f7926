import { randomBytes } from 'node:crypto';
import { toGlobalId } from '../../src/shared/global-id';
import { esc, iso, NULL, str } from './copy-writer';
import { uuid7 } from './random';
import type { Sinks } from './sinks';
import { actorOf, SYSTEM, type Actor, type Agent, type Customer, type Policy, type Priority, type World } from './world';

/** Thrown when a ticket's next step would lie after now: its story ends where it stands. */
class Stop {}
export const STOP = new Stop();

const FINISHED = new Set(['RESOLVED', 'CLOSED']);

/** Running totals across tickets: the load steers the amount of extra conversation by the comments so far. */
export interface Totals {
  comments: number;
}

/**
 * One ticket's state and the rules the app applies to it, as TicketService, sla-clock.ts and the breach
 * job do: timeline entries, comments, status moves with their SLA clocks and outcome figures. The story
 * that drives them is TicketSim's. One instance serves every ticket in turn (see `reset`).
 */
export abstract class TicketState {
  // Instants are epoch milliseconds, 0 for none.
  protected id = '';
  protected created = 0;
  protected priority: Priority = 'MEDIUM';
  protected policy!: Policy;
  protected status = 'OPEN';
  protected version = 1;
  protected updatedAt = 0;
  /** The latest step's instant: the next entry comes after it. */
  protected last = 0;
  protected assignee: Agent | null = null;
  protected firstResponseDueAt = 0;
  protected dueAt = 0;
  protected firstRespondedAt = 0;
  protected pausedSince = 0;
  protected pausedSeconds = 0;
  protected pausedWallSeconds = 0;
  protected clockSeconds = 0;
  protected clockMark = 0;
  protected firstResponseBreachedAt = 0;
  protected resolutionBreachedAt = 0;
  protected resolvedAt = 0;
  protected closedAt = 0;
  protected resolutionNotes: string | null = null;
  protected reopenCount = 0;
  protected firstResponseSeconds: number | null = null;
  protected firstResponseBusinessSeconds: number | null = null;
  protected resolutionSeconds: number | null = null;
  protected resolutionBusinessSeconds: number | null = null;
  protected satisfactionToken: string | null = null;
  protected satisfactionScore: number | null = null;
  protected occurrences = 1;
  protected customer: Customer | null = null;
  protected customerActor: Actor = SYSTEM;
  /** How long after a due time the breach job (every minute) records the breach, for this ticket. */
  protected jitter = 0;

  constructor(
    protected readonly world: World,
    protected readonly sinks: Sinks,
    protected readonly totals: Totals,
  ) {}

  // --- timeline and comments ----------------------------------------------------------------------

  protected event(t: number, type: string, actor: Actor, fields: { from?: string; to?: string; reason?: string | null; internal?: boolean; details?: string }): void {
    const inner = fields.details ?? '';
    const details = `{${inner}${inner && actor.extra ? ',' : ''}${actor.extra}}`;
    this.sinks.eventHeap.push(
      t,
      `${uuid7(this.world.rng, t)}\t${iso(t)}\t${this.id}\t${type}\t${actor.userId ?? NULL}\t${actor.contactId ?? NULL}\t${fields.from ?? NULL}\t` +
        `${fields.to ?? NULL}\t${str(fields.reason)}\t${fields.internal ? 't' : 'f'}\t${details}\t${this.version}\n`,
    );
  }

  /** The instant of the next step: after the previous one, never after now (else the story stops here). */
  protected step(t: number): number {
    let at = Math.max(Math.round(t), this.last + 1);
    if (at > this.world.now) throw STOP;
    this.breachesUntil(at, false);
    at = Math.max(at, this.last + 1);
    if (at > this.world.now) throw STOP;
    this.last = at;
    return at;
  }

  /**
   * The breach job (every minute) and the breach check of clock-stopping changes: a running clock
   * whose due time passed before `until` is recorded once, shortly after it ran out.
   */
  protected breachesUntil(until: number, final: boolean): void {
    if (this.pausedSince) return;
    const found: [number, 'FIRST_RESPONSE' | 'RESOLUTION', number][] = [];
    const when = (due: number) => {
      const at = due + this.jitter;
      return final ? (at <= until ? at : 0) : Math.min(at, until);
    };
    if (!this.firstRespondedAt && !this.firstResponseBreachedAt && this.firstResponseDueAt < until) {
      const at = when(this.firstResponseDueAt);
      if (at) found.push([at, 'FIRST_RESPONSE', this.firstResponseDueAt]);
    }
    if (!this.resolutionBreachedAt && this.dueAt < until) {
      const at = when(this.dueAt);
      if (at) found.push([at, 'RESOLUTION', this.dueAt]);
    }
    found.sort((a, b) => a[0] - b[0]);
    for (const [time, clock, due] of found) {
      const at = Math.max(time, this.last + 1);
      if (final && at > this.world.now) continue;
      this.last = at;
      if (clock === 'FIRST_RESPONSE') this.firstResponseBreachedAt = at;
      else this.resolutionBreachedAt = at;
      this.event(at, 'SLA_BREACHED', SYSTEM, { details: `"clock":"${clock}","dueAt":"${iso(due)}"` });
    }
  }

  protected comment(t: number, author: Actor, authorName: string, body: string, internal: boolean): void {
    const id = uuid7(this.world.rng, t);
    this.sinks.commentHeap.push(
      t,
      `${id}\t${iso(t)}\t${this.id}\t${esc(body)}\t${internal ? 't' : 'f'}\t${author.userId ?? NULL}\t${author.contactId ?? NULL}\t${esc(authorName)}\n`,
    );
    this.totals.comments += 1;
    this.event(t, 'COMMENTED', author, { internal, details: `"comment":"${toGlobalId('Comment', id)}"` });
    if (!internal) this.updatedAt = t;
    if (!internal && author.userId && !this.firstRespondedAt) {
      const { wall, business } = this.running(t);
      this.firstResponseSeconds = wall;
      this.firstResponseBusinessSeconds = business;
      this.firstRespondedAt = t;
    }
  }

  /** An assignment entry naming `to`. */
  protected assign(t: number, actor: Actor, from: Agent | null, to: Agent): void {
    this.event(t, 'ASSIGNED', actor, { details: `"from":${from ? `"${from.gid}"` : 'null'},"to":"${to.gid}"` });
  }

  protected staffComment(t: number, agent: Agent, body: string, internal: boolean): void {
    this.comment(t, actorOf(agent), agent.name, body, internal);
  }

  protected customerComment(t: number, body: string): void {
    this.comment(t, this.customerActor, this.customer!.name, body, false);
  }

  // --- SLA clocks (sla-clock.ts) -------------------------------------------------------------------

  /** runningSeconds: business time is counted per stretch of the clock (sla_clock_seconds, sla_clock_mark). */
  private running(at: number): { wall: number; business: number } {
    const since = this.pausedSince;
    const pausedWall = this.pausedWallSeconds + (since ? Math.round((at - since) / 1000) : 0);
    const stretch = since ? 0 : this.policy.clock.between(this.clockMark || this.created, at);
    return { wall: Math.max(0, Math.round((at - this.created) / 1000) - pausedWall), business: this.clockSeconds + stretch };
  }

  protected computeDueDates(): void {
    const { clock, firstResponseSeconds, resolutionSeconds } = this.policy;
    if (!this.firstRespondedAt) this.firstResponseDueAt = clock.add(this.created, firstResponseSeconds + this.pausedSeconds);
    this.dueAt = clock.add(this.created, resolutionSeconds + this.pausedSeconds);
  }

  private pauses(status: string): boolean {
    return status === 'WAITING_ON_CUSTOMER' || (status === 'WAITING_ON_THIRD_PARTY' && this.policy.pauseOnThirdParty) || FINISHED.has(status);
  }

  /** A status move at `t` (already a step): outcome, clocks, the fields that go with it, the entry. */
  protected move(t: number, to: string, actor: Actor, fields: { reason?: string | null; internal?: boolean; details?: string } = {}): void {
    const from = this.status;
    // settleOutcome
    if (to === 'RESOLVED' && from !== 'RESOLVED') {
      const { wall, business } = this.running(t);
      this.resolutionSeconds = wall;
      this.resolutionBusinessSeconds = business;
    }
    if (FINISHED.has(from) && !FINISHED.has(to)) {
      this.reopenCount += 1;
      this.resolutionSeconds = null;
      this.resolutionBusinessSeconds = null;
    }
    // onStatusChange
    const pausing = this.pauses(to);
    if (pausing && !this.pausedSince) {
      // markClock: the stretch so far is counted, the clock stops.
      this.clockSeconds += this.policy.clock.between(this.clockMark || this.created, t);
      this.clockMark = t;
      this.pausedSince = t;
    }
    if (!pausing && this.pausedSince) {
      this.clockMark = t;
      this.pausedSeconds += this.policy.clock.between(this.pausedSince, t);
      this.pausedWallSeconds += Math.round((t - this.pausedSince) / 1000);
      this.pausedSince = 0;
      this.computeDueDates();
    }
    // applyStatus
    if (to === 'RESOLVED') {
      this.resolvedAt = t;
      this.resolutionNotes = fields.reason ?? null;
      this.satisfactionToken ??= randomBytes(24).toString('base64url');
    }
    if (to === 'CLOSED') this.closedAt = t;
    if (from === 'RESOLVED' && to === 'IN_PROGRESS') {
      this.resolvedAt = 0;
      this.closedAt = 0;
    }
    this.status = to;
    this.event(t, 'STATUS_CHANGED', actor, { from, to, reason: fields.reason, internal: fields.internal, details: fields.details });
  }

  /** A change through `TicketService.change`: one more version, `updatedAt` moves. */
  protected changed(t: number): void {
    this.version += 1;
    this.updatedAt = t;
  }

  /** The next ticket, created at `created` (one simulator serves every ticket in turn). */
  protected reset(created: number): void {
    this.id = uuid7(this.world.rng, created);
    this.created = created;
    this.status = 'OPEN';
    this.version = 1;
    this.updatedAt = created;
    this.last = created;
    this.assignee = null;
    this.firstResponseDueAt = 0;
    this.dueAt = 0;
    this.firstRespondedAt = 0;
    this.pausedSince = 0;
    this.pausedSeconds = 0;
    this.pausedWallSeconds = 0;
    this.clockSeconds = 0;
    this.clockMark = 0;
    this.firstResponseBreachedAt = 0;
    this.resolutionBreachedAt = 0;
    this.resolvedAt = 0;
    this.closedAt = 0;
    this.resolutionNotes = null;
    this.reopenCount = 0;
    this.firstResponseSeconds = null;
    this.firstResponseBusinessSeconds = null;
    this.resolutionSeconds = null;
    this.resolutionBusinessSeconds = null;
    this.satisfactionToken = null;
    this.satisfactionScore = null;
    this.occurrences = 1;
    this.customer = null;
    this.customerActor = SYSTEM;
    this.jitter = 1 + this.world.rng.int(60_000);
  }
}
