import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../shared/sql';
import { bucketOfRank, interpolate, percentileRanks } from './duration-histogram';
import { DURATION_BUCKETS, DURATION_BUCKETS_PER_UNIT } from './report-digests';
import { TicketChannel, TicketPriority } from '../tickets/ticket.enums';
import { ReportDimension } from './report.inputs';
import { narrowsTickets, type ReportWindow } from './report-window';
import { monthCoverOf } from './month-cover.query';
import { utcDay } from './roll-up-cover';

/** R: time to resolution, by `resolved_at`; F: time to first response, by `first_responded_at`. */
export type DurationMeasure = 'R' | 'F';

// As DURATION_MONTHS_OF_TICKET counts them: targets met and ratings with resolutions only.
const MEASURES: Record<DurationMeasure, { at: string; wall: string; business: string; met: string; score: string }> = {
  R: { at: 't.resolved_at', wall: 't.resolution_seconds', business: 't.resolution_business_seconds', met: 't.resolution_breached_at is null', score: 't.satisfaction_score' },
  F: { at: 't.first_responded_at', wall: 't.first_response_seconds', business: 't.first_response_business_seconds', met: 'null::boolean', score: 'null::smallint' },
};

/** The roll-up's scopes: all tickets, or by one of these dimensions (the key as the roll-up writes it). */
const SCOPES: Partial<Record<ReportDimension, { scope: string; key: string }>> = {
  [ReportDimension.PRIORITY]: { scope: 'P', key: 't.priority::text' },
  [ReportDimension.CHANNEL]: { scope: 'C', key: 't.channel::text' },
  [ReportDimension.ASSIGNEE]: { scope: 'A', key: `coalesce(t.assignee_id::text, '')` },
};
/** One agent's tickets by a dimension: scopes keyed '<assignee id> <value>'. */
const AGENT_SCOPES: Partial<Record<ReportDimension, { scope: string; key: string }>> = {
  [ReportDimension.PRIORITY]: { scope: 'AP', key: `t.assignee_id::text || ' ' || t.priority::text` },
  [ReportDimension.CHANNEL]: { scope: 'AC', key: `t.assignee_id::text || ' ' || t.channel::text` },
};
const ALL_TICKETS = { scope: '*', key: `''` };
/** One agent's keys of a scope it has keys in. */
const agentKeys = (scope: string, agentId: string): string[] =>
  scope === 'AP' ? Object.values(TicketPriority).map((value) => `${agentId} ${value}`) : scope === 'AC' ? Object.values(TicketChannel).map((value) => `${agentId} ${value}`) : [agentId];
/** Scopes whose keys start with the assignee's id: their buckets are read from that assignee's share of the index. */
const BY_ASSIGNEE = ['A', 'AP', 'AC'];

/**
 * Whether durationFigures answers for this window and grouping: no ticket filter but an assignee (which
 * it applies itself) and at most one dimension, one the roll-up keeps (for one agent's tickets).
 */
export function durationFiguresApply(window: ReportWindow, dimensions: readonly ReportDimension[]): boolean {
  const scopes = window.filter?.assigneeId ? { ...AGENT_SCOPES, [ReportDimension.ASSIGNEE]: SCOPES[ReportDimension.ASSIGNEE] } : SCOPES;
  return !narrowsTickets(window, ['assigneeId']) && dimensions.length <= 1 && dimensions.every((dimension) => scopes[dimension]);
}

export interface DurationSummary {
  /** Tickets with this duration, and their summed seconds. */
  count: number;
  seconds: number;
  /** Seconds at each percentile asked for (null without tickets). */
  percentiles: Map<number, number | null>;
}

export interface DurationFigures {
  tickets: number;
  /** Of resolutions only: targets met, ratings and their sum. */
  met: number;
  rated: number;
  scoreSum: number;
  wall: DurationSummary;
  business: DurationSummary;
}

interface Histogram {
  count: number;
  seconds: number;
  counts: number[];
}

interface Tally {
  tickets: number;
  met: number;
  rated: number;
  scoreSum: number;
  wall: Histogram;
  business: Histogram;
}

const emptyHistogram = (): Histogram => ({ count: 0, seconds: 0, counts: new Array<number>(DURATION_BUCKETS).fill(0) });
const emptyTally = (): Tally => ({ tickets: 0, met: 0, rated: 0, scoreSum: 0, wall: emptyHistogram(), business: emptyHistogram() });

/** Integers sent as one comma-separated string (array_to_string, which leaves out nulls): far quicker to read than an array. */
const numbers = (list: string | null): number[] => (list ? list.split(',').map(Number) : []);
const num = (value: unknown) => Number(value ?? 0);

/** Adds a row's totals (tickets, met, rated, score_sum, wall_seconds, business_seconds) to a key's tally. */
function addTotals(tally: Tally, row: Record<string, unknown>): void {
  tally.tickets += num(row.tickets);
  tally.met += num(row.met);
  tally.rated += num(row.rated);
  tally.scoreSum += num(row.score_sum);
  tally.wall.seconds += num(row.wall_seconds);
  tally.business.seconds += num(row.business_seconds);
}

/**
 * Per key of the dimension (all tickets: ''; no assignee: ''), the figures of `measure` over the
 * window's period, of one assignee's tickets if `agentId` is given.
 * The whole months come from report_duration_month (running totals at the period's end less those at
 * its start), the rest of the period (the partial months at its edges, or all of it) from the rows.
 * One agent's by PRIORITY or CHANNEL read the 'AP' and 'AC' scopes (keys given as the value alone).
 * Each percentile then comes from the tickets of the one bucket that holds it. Null when a bucket's
 * tickets disagree with the roll-up (the caller then reads the rows; `npm run reports:rebuild --
 * --check` finds such drift), or for one agent by a dimension the roll-up does not keep.
 */
export async function durationFigures(
  em: EntityManager,
  window: ReportWindow,
  dimension: ReportDimension | null,
  measure: DurationMeasure,
  percentiles: number[],
  agentId: string | null = null,
): Promise<Map<string, DurationFigures> | null> {
  if (agentId && dimension === null) {
    // All of one agent's tickets are that agent's key of the assignee scope.
    const [figures] = (await durationFigures(em, window, ReportDimension.ASSIGNEE, measure, percentiles, agentId))?.values() ?? [];
    return new Map(figures ? [['', figures]] : []);
  }
  const rollUpScope = !dimension ? ALL_TICKETS : agentId && dimension !== ReportDimension.ASSIGNEE ? AGENT_SCOPES[dimension] : SCOPES[dimension];
  if (!rollUpScope) return null;
  const { scope, key } = rollUpScope;
  const m = MEASURES[measure];
  const agent = agentId ? ' and t.assignee_id = ?' : '';
  const agentBinding = agentId ? [agentId] : [];
  // An agent's keys: its id under 'A', '<its id> <value>' under 'AP' and 'AC'.
  const valueOf = (scopeKey: string) => (scope === 'AP' || scope === 'AC' ? scopeKey.slice(scopeKey.indexOf(' ') + 1) : scopeKey);
  const { months, rows: edges } = await monthCoverOf(em, window, m.at);

  const tallies = new Map<string, Tally>();
  const tallyOf = (scopeKey: string) => tallies.get(scopeKey) ?? tallies.set(scopeKey, emptyTally()).get(scopeKey)!;

  const rollUp = !months
    ? []
    : await em.execute<Record<string, unknown>[]>(
        `select k.scope_key, e.tickets - coalesce(s.tickets, 0) as tickets, e.met - coalesce(s.met, 0) as met, e.rated - coalesce(s.rated, 0) as rated,
                e.score_sum - coalesce(s.score_sum, 0) as score_sum, e.wall_seconds - coalesce(s.wall_seconds, 0) as wall_seconds,
                e.business_seconds - coalesce(s.business_seconds, 0) as business_seconds,
                array_to_string(e.wall_counts, ',') as wall_end, array_to_string(s.wall_counts, ',') as wall_start,
                array_to_string(e.business_counts, ',') as business_end, array_to_string(s.business_counts, ',') as business_start
           from ${agentId ? 'unnest(?::text[]) as k(scope_key)' : '(select distinct scope_key from report_duration_month where measure = ? and scope = ?) as k'}
          cross join lateral (select * from report_duration_month r where (r.measure, r.scope, r.scope_key) = (?, ?, k.scope_key) and r.month < ?
                               order by r.month desc limit 1) as e
           left join lateral (select * from report_duration_month r where (r.measure, r.scope, r.scope_key) = (?, ?, k.scope_key) and r.month < ?
                               order by r.month desc limit 1) as s on true`,
        [...(agentId ? [pgArray(agentKeys(scope, agentId))] : [measure, scope]), measure, scope, utcDay(months.last), measure, scope, utcDay(months.first)],
      );
  for (const row of rollUp) {
    const p = tallyOf(String(row.scope_key));
    addTotals(p, row);
    for (const [histogram, end, start] of [
      [p.wall, row.wall_end, row.wall_start],
      [p.business, row.business_end, row.business_start],
    ] as [Histogram, string, string | null][]) {
      const [ends, starts] = [numbers(end), numbers(start)];
      for (let bucket = 0; bucket < DURATION_BUCKETS; bucket += 1) histogram.counts[bucket] += ends[bucket] - (starts[bucket] ?? 0);
    }
  }

  // The rest from the rows: per key, the totals, and the tickets per bucket of each duration.
  if (edges.length > 0) {
    const rows = edges.map(
      () => `select ${key} as scope_key, ${m.wall} as wall, ${m.business} as business, ${m.met} as met, ${m.score} as score
               from ticket t where ${m.at} >= ? and ${m.at} < ?${agent}`,
    );
    // Per key, its totals and the bucket of each duration (counted here: one row per key, not per bucket).
    const edgeRows = await em.execute<Record<string, unknown>[]>(
      `select scope_key, count(*) as tickets, count(*) filter (where met) as met, count(score) as rated, coalesce(sum(score), 0) as score_sum,
              coalesce(sum(wall), 0) as wall_seconds, coalesce(sum(business), 0) as business_seconds,
              array_to_string(array_agg(report_duration_bucket(wall)), ',') as wall_buckets,
              array_to_string(array_agg(report_duration_bucket(business)), ',') as business_buckets
         from (${rows.join(' union all ')}) as x
        group by scope_key`,
      edges.flatMap(([start, end]) => [start, end, ...agentBinding]),
    );
    for (const row of edgeRows) {
      const p = tallyOf(String(row.scope_key));
      addTotals(p, row);
      for (const bucket of numbers(row.wall_buckets as string | null)) p.wall.counts[bucket] += 1;
      for (const bucket of numbers(row.business_buckets as string | null)) p.business.counts[bucket] += 1;
    }
  }
  for (const p of tallies.values()) for (const histogram of [p.wall, p.business]) histogram.count = histogram.counts.reduce((a, b) => a + b, 0);

  // Buckets are read by assignee (see the index): each key's own under 'A', 'AP' and 'AC', else every assignee's the roll-up knows.
  const everyAssignee = BY_ASSIGNEE.includes(scope)
    ? null
    : (await em.execute<{ scope_key: string }[]>(`select distinct scope_key from report_duration_month where measure = ? and scope = 'A'`, [measure])).map((row) => row.scope_key);
  const columns = { key, at: m.at, everyAssignee };
  const wall = await pick(em, window, { ...columns, column: m.wall }, tallies, 'wall', percentiles);
  const business = await pick(em, window, { ...columns, column: m.business }, tallies, 'business', percentiles);
  if (!wall || !business) return null;
  const figures = new Map<string, DurationFigures>();
  for (const [scopeKey, p] of tallies) {
    if (p.tickets === 0) continue;
    figures.set(valueOf(scopeKey), {
      tickets: p.tickets,
      met: p.met,
      rated: p.rated,
      scoreSum: p.scoreSum,
      wall: { count: p.wall.count, seconds: p.wall.seconds, percentiles: wall.get(scopeKey)! },
      business: { count: p.business.count, seconds: p.business.seconds, percentiles: business.get(scopeKey)! },
    });
  }
  return figures;
}

/** The integer seconds that bucket `bucket` may hold, with a margin for rounding (the bucket function decides). */
function bucketBounds(bucket: number): [number, number] {
  const lower = Math.max(0, Math.floor(Math.exp(bucket / DURATION_BUCKETS_PER_UNIT) - 1) - 1);
  const upper = bucket === DURATION_BUCKETS - 1 ? 2_147_483_647 : Math.ceil(Math.exp((bucket + 1) / DURATION_BUCKETS_PER_UNIT) - 1) + 2;
  return [lower, upper];
}

/**
 * The percentiles of one duration per key: the buckets holding each percentile's two ranks, then those
 * buckets' tickets (of that key, in the period) from the duration's index, in order. Null if a bucket's
 * tickets are not as many as the histogram says, or a count is negative.
 */
async function pick(
  em: EntityManager,
  window: ReportWindow,
  read: { key: string; at: string; column: string; everyAssignee: string[] | null },
  tallies: Map<string, Tally>,
  histogramOf: 'wall' | 'business',
  percentiles: number[],
): Promise<Map<string, Map<number, number | null>> | null> {
  const wanted = new Map<string, { scopeKey: string; bucket: number }>();
  const plans = new Map<string, { p: number; ranks: { bucket: number; offset: number }[]; fraction: number }[]>();
  for (const [scopeKey, tally] of tallies) {
    const histogram = tally[histogramOf];
    // A histogram that drifted below zero cannot say where a rank lies.
    if (histogram.counts.some((count) => count < 0)) return null;
    plans.set(
      scopeKey,
      histogram.count === 0
        ? []
        : percentiles.map((p) => {
            const { lower, upper, fraction } = percentileRanks(p, histogram.count);
            const ranks = [lower, upper].map((rank) => bucketOfRank(histogram.counts, rank));
            for (const { bucket } of ranks) wanted.set(`${scopeKey}\u0000${bucket}`, { scopeKey, bucket });
            return { p, ranks, fraction };
          }),
    );
  }
  const needs = [...wanted.values()];
  const { everyAssignee } = read;
  const visits = everyAssignee
    ? [...new Set(needs.map((need) => need.bucket))].flatMap((bucket) => everyAssignee.map((assignee) => ({ bucket, assignee })))
    : // An assignee's bucket once, though several of its keys (priorities, channels) need it.
      [...new Map(needs.map(({ bucket, scopeKey }) => [`${bucket} ${scopeKey.split(' ')[0]}`, { bucket, assignee: scopeKey.split(' ')[0] }])).values()];
  const values = new Map<string, number[]>();
  if (needs.length > 0) {
    const range = `${read.column} >= r.lower and ${read.column} < r.upper and report_duration_bucket(${read.column}) = r.bucket and ${read.at} >= ? and ${read.at} < ?`;
    // offset 0 keeps each visit an index range scan (the planner would otherwise join the whole index once).
    const rows = await em.execute<{ scope_key: string; bucket: number; seconds: number }[]>(
      `with need as (select * from unnest(?::integer[], ?::text[]) as n(bucket, scope_key))
       select n.scope_key, v.bucket, v.seconds
         from unnest(?::integer[], ?::integer[], ?::integer[], ?::text[]) as r(bucket, lower, upper, assignee)
        cross join lateral (
          select * from (
            select r.bucket, ${read.key} as scope_key, ${read.column} as seconds from ticket t where t.assignee_id = nullif(r.assignee, '')::uuid and ${range}
            union all
            select r.bucket, ${read.key}, ${read.column} from ticket t where r.assignee = '' and t.assignee_id is null and ${range}
          ) as u offset 0
        ) as v
        join need n on (n.bucket, n.scope_key) = (v.bucket, v.scope_key)
        order by 1, 2, 3`,
      [
        `{${needs.map((need) => need.bucket).join(',')}}`,
        pgArray(needs.map((need) => need.scopeKey)),
        `{${visits.map((visit) => visit.bucket).join(',')}}`,
        `{${visits.map((visit) => bucketBounds(visit.bucket)[0]).join(',')}}`,
        `{${visits.map((visit) => bucketBounds(visit.bucket)[1]).join(',')}}`,
        pgArray(visits.map((visit) => visit.assignee)),
        window.from,
        window.to,
        window.from,
        window.to,
      ],
    );
    for (const row of rows) {
      const id = `${row.scope_key}\u0000${row.bucket}`;
      if (!values.has(id)) values.set(id, []);
      values.get(id)!.push(Number(row.seconds));
    }
  }
  for (const { scopeKey, bucket } of needs) {
    if ((values.get(`${scopeKey}\u0000${bucket}`)?.length ?? 0) !== tallies.get(scopeKey)![histogramOf].counts[bucket]) return null;
  }
  const result = new Map<string, Map<number, number | null>>();
  for (const [scopeKey, planned] of plans) {
    const byPercentile = new Map<number, number | null>(percentiles.map((p) => [p, null]));
    for (const { p, ranks, fraction } of planned) {
      const [lower, upper] = ranks.map(({ bucket, offset }) => values.get(`${scopeKey}\u0000${bucket}`)![offset]);
      byPercentile.set(p, interpolate(lower, upper, fraction));
    }
    result.set(scopeKey, byPercentile);
  }
  return result;
}
