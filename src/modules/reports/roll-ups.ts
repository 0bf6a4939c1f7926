/**
 * The report roll-ups, defined once. Each is "a ticket's share": from the ticket's roll-up state (its
 * row and the moves of its timeline that reports count) to the rows it adds to `roll_up`. The feed
 * consumer (roll-up.consumer.ts) applies a change as the new share less the old one; a report adds
 * the same difference for the changes the consumer has not applied yet (roll-up.query.ts); the
 * rebuild and its check (roll-up.rebuild.ts) sum every ticket's share. Pure functions, no SQL.
 */

/** Whose tickets a row counts: all of them, one business's, or one assignee's (scope id null: the tickets with none). */
export type Scope = 'all' | 'business' | 'assignee';

/** What a row is keyed by besides its scope: nothing, a ticket attribute, or (assignments) the agent an entry names. */
export type Dimension = 'none' | 'status' | 'priority' | 'channel' | 'tag' | 'title' | 'spelling' | 'business' | 'assignee' | 'assigned_to';

/** What the roll-ups know of a ticket; instants as milliseconds since 1970 (UTC). */
export interface TicketState {
  createdAt: number;
  status: string;
  priority: string;
  channel: string;
  businessId: string | null;
  assigneeId: string | null;
  title: string;
  /** The title case-blind, as PostgreSQL's lower() gives it (recurring titles are counted so). */
  titleLower: string;
  tagIds: string[];
  firstRespondedAt: number | null;
  firstResponseSeconds: number | null;
  firstResponseBusinessSeconds: number | null;
  firstResponseBreached: boolean;
  resolvedAt: number | null;
  resolutionSeconds: number | null;
  resolutionBusinessSeconds: number | null;
  resolutionBreached: boolean;
  score: number | null;
  /** Moves to RESOLVED, and from RESOLVED back to work (not to CLOSED). */
  resolvedMoves: number[];
  reopens: number[];
  /** Assignment entries: when, and to whom. */
  assignments: [number, string][];
}

/** One thing a ticket contributes to a measure: at an instant (its month keys the row), counted `count` times with `sum`. */
interface Fact {
  at: number;
  count?: number;
  sum?: number;
  /** A duration's bucket (see DURATION_THRESHOLDS), a rating's score. */
  bucket?: number;
  /** The agent an assignment names (the 'assigned_to' dimension). */
  assignedTo?: string;
}

export interface RollUp {
  measure: string;
  facts(ticket: TicketState): Fact[];
  /** The dimensions the measure is kept by, per scope. 'none' is the scope's total. */
  kept: Partial<Record<Scope, Dimension[]>>;
}

/**
 * Duration buckets: bucket b holds [T_b, T_b+1) seconds with T_0 = 0, T_1 = 1 and T_b+1 = T_b +
 * max(1, ⌊T_b / 50⌋): a second wide up to 50 s, then 2 %. Integers, so the database and this code
 * agree on every edge; a percentile's bucket holds few tickets, read exactly (duration-percentiles.ts).
 */
export const DURATION_THRESHOLDS: number[] = (() => {
  // The first threshold at or past the largest integer column value ends the list, as in the migration's recursion.
  const thresholds = [0];
  for (let t = 1; ; t += Math.max(1, Math.floor(t / 50))) {
    thresholds.push(t);
    if (t >= 2_147_483_647) return thresholds;
  }
})();

/** The bucket of a duration in seconds: the number of thresholds after T_0 at or below it (as width_bucket counts). */
export function bucketOf(seconds: number): number {
  let [low, high] = [0, DURATION_THRESHOLDS.length - 1];
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (DURATION_THRESHOLDS[middle] <= seconds) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The seconds bucket `bucket` holds: [from, to). */
export function bucketRange(bucket: number): [number, number] {
  return [DURATION_THRESHOLDS[bucket], DURATION_THRESHOLDS[bucket + 1] ?? Number.MAX_SAFE_INTEGER];
}

const once = (at: number | null, when = true, sum = 0): Fact[] => (at !== null && when ? [{ at, sum }] : []);
const duration = (at: number | null, seconds: number | null): Fact[] => (at !== null && seconds !== null ? [{ at, sum: seconds, bucket: bucketOf(seconds) }] : []);

/** Moves: of all tickets, one agent's, and one business's per agent (agentPerformance within a business). */
const MOVES: RollUp['kept'] = { all: ['none'], business: ['none', 'assignee'], assignee: ['none'] };
/** SLA outcomes, by the ticket's creation (slaCompliance counts the tickets created in the period). */
const SLA: RollUp['kept'] = { all: ['none', 'status', 'priority', 'channel'], assignee: ['none', 'priority'], business: ['none'] };
/** Of resolutions, per agent (agentPerformance), of all tickets and within one business. */
const PER_AGENT: RollUp['kept'] = { assignee: ['none'], business: ['assignee'] };
/** Resolutions and their ratings: per agent (above), and satisfaction of all tickets or one agent's. */
const RATINGS: RollUp['kept'] = { all: ['none', 'priority', 'channel'], assignee: ['none', 'priority', 'channel'], business: ['assignee'] };
/** Durations, by their instant (resolutionTimes, agentPerformance). */
const DURATIONS: RollUp['kept'] = { all: ['none', 'priority', 'channel'], assignee: ['none', 'priority'] };

export const ROLL_UPS: RollUp[] = [
  {
    measure: 'created',
    facts: (t) => once(t.createdAt),
    kept: {
      all: ['none', 'status', 'priority', 'channel', 'tag', 'title', 'spelling'],
      assignee: ['none', 'status', 'priority', 'tag', 'title', 'spelling', 'business'],
      business: ['none', 'status', 'tag', 'title', 'spelling'],
    },
  },
  { measure: 'first_response_met', facts: (t) => once(t.createdAt, t.firstRespondedAt !== null && !t.firstResponseBreached), kept: SLA },
  { measure: 'first_response_breached', facts: (t) => once(t.createdAt, t.firstResponseBreached), kept: SLA },
  { measure: 'resolution_met', facts: (t) => once(t.createdAt, t.resolvedAt !== null && !t.resolutionBreached), kept: SLA },
  { measure: 'resolution_breached', facts: (t) => once(t.createdAt, t.resolutionBreached), kept: SLA },
  { measure: 'resolved_move', facts: (t) => t.resolvedMoves.map((at) => ({ at })), kept: MOVES },
  { measure: 'reopen', facts: (t) => t.reopens.map((at) => ({ at })), kept: MOVES },
  { measure: 'assigned', facts: (t) => t.assignments.map(([at, assignedTo]) => ({ at, assignedTo })), kept: { all: ['assigned_to'], business: ['assigned_to'] } },
  { measure: 'resolved', facts: (t) => once(t.resolvedAt), kept: RATINGS },
  { measure: 'resolved_met', facts: (t) => once(t.resolvedAt, !t.resolutionBreached), kept: PER_AGENT },
  { measure: 'rated', facts: (t) => (t.resolvedAt !== null && t.score !== null ? [{ at: t.resolvedAt, sum: t.score, bucket: t.score }] : []), kept: RATINGS },
  { measure: 'resolution_seconds', facts: (t) => duration(t.resolvedAt, t.resolutionSeconds), kept: DURATIONS },
  { measure: 'resolution_business_seconds', facts: (t) => duration(t.resolvedAt, t.resolutionBusinessSeconds), kept: DURATIONS },
  { measure: 'first_response_seconds', facts: (t) => duration(t.firstRespondedAt, t.firstResponseSeconds), kept: DURATIONS },
  { measure: 'first_response_business_seconds', facts: (t) => duration(t.firstRespondedAt, t.firstResponseBusinessSeconds), kept: DURATIONS },
];

const BY_MEASURE = new Map(ROLL_UPS.map((rollUp) => [rollUp.measure, rollUp]));

/** Whether `measure` is kept by `dimension` in `scope`. */
export function keeps(measure: string, scope: Scope, dimension: Dimension): boolean {
  return BY_MEASURE.get(measure)?.kept[scope]?.includes(dimension) ?? false;
}

/** A row of `roll_up`: its key and what it counts. */
export interface ShareRow {
  measure: string;
  scope: Scope;
  scopeId: string | null;
  dimension: Dimension;
  key: string | null;
  /** The UTC month, as 'YYYY-MM-01' (null: all time, see addRows). */
  month: string | null;
  bucket: number | null;
  count: number;
  sum: number;
  /** The instant counted, to tell which rows fall in a part of a month. */
  at: number;
}

/** The values of a dimension for a ticket (and a fact): one, or one per tag; null for none. */
function keysOf(dimension: Dimension, t: TicketState, fact: Fact): (string | null)[] {
  switch (dimension) {
    case 'none':
      return [null];
    case 'status':
      return [t.status];
    case 'priority':
      return [t.priority];
    case 'channel':
      return [t.channel];
    case 'title':
      return [t.titleLower];
    case 'spelling':
      return [t.title];
    case 'business':
      return [t.businessId];
    case 'assignee':
      return [t.assigneeId];
    case 'assigned_to':
      return [fact.assignedTo ?? null];
    case 'tag':
      return t.tagIds.length > 0 ? t.tagIds : [null];
  }
}

const monthOf = (at: number) => `${new Date(at).toISOString().slice(0, 7)}-01`;

/** A ticket's share of every roll-up (nothing for a ticket that is gone). */
export function shareOf(t: TicketState | null): ShareRow[] {
  if (!t) return [];
  const rows: ShareRow[] = [];
  const scopeIds: Record<Scope, string | null> = { all: null, business: t.businessId, assignee: t.assigneeId };
  for (const { measure, facts, kept } of ROLL_UPS) {
    for (const fact of facts(t)) {
      for (const [scope, dimensions] of Object.entries(kept) as [Scope, Dimension[]][]) {
        for (const dimension of dimensions) {
          for (const key of keysOf(dimension, t, fact)) {
            rows.push({
              measure, scope, scopeId: scopeIds[scope], dimension, key, month: monthOf(fact.at), bucket: fact.bucket ?? null,
              count: fact.count ?? 1, sum: fact.sum ?? 0, at: fact.at,
            });
          }
        }
      }
    }
  }
  return rows;
}

/** The identity of a roll-up row (its unique key). */
export const rowKey = (r: Pick<ShareRow, 'measure' | 'scope' | 'scopeId' | 'dimension' | 'key' | 'month' | 'bucket'>): string =>
  `${r.measure}\u0001${r.scope}\u0001${r.scopeId}\u0001${r.dimension}\u0001${r.key === null ? '\u0002' : r.key}\u0001${r.month}\u0001${r.bucket}`;

/** Rows summed by key (`sign` -1 takes them out); rows that sum to nothing are left out. */
export function addShares(into: Map<string, ShareRow>, rows: readonly ShareRow[], sign: 1 | -1 = 1): Map<string, ShareRow> {
  for (const row of rows) {
    const key = rowKey(row);
    const sum = into.get(key);
    if (!sum) {
      into.set(key, { ...row, count: sign * row.count, sum: sign * row.sum });
      continue;
    }
    sum.count += sign * row.count;
    sum.sum += sign * row.sum;
    if (sum.count === 0 && sum.sum === 0) into.delete(key);
  }
  return into;
}

/** What the change of a ticket from `before` to `after` adds to the roll-ups. */
export function shareDifference(before: TicketState | null, after: TicketState | null, into = new Map<string, ShareRow>()): Map<string, ShareRow> {
  addShares(into, shareOf(after), 1);
  return addShares(into, shareOf(before), -1);
}
