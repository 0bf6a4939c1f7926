import type { EntityManager } from '@mikro-orm/postgresql';
import { pgArray } from '../../shared/sql';
import { bucketOfRank, interpolate, percentileRanks } from './duration-histogram';
import { monthCoverOf } from './month-cover.query';
import type { ReportDimension } from './report.inputs';
import { groupKey, selectGroups, type GroupedRow } from './report-groups';
import { filteredTickets, inPeriod, type ReportWindow } from './report-window';
import { rolledUp, targetOf } from './roll-up.query';
import { bucketOf, bucketRange } from './roll-ups';

/** A duration measure of the roll-ups, its ticket column and the instant it is counted at. */
export interface DurationMeasure {
  measure: string;
  column: string;
  at: string;
}

export const RESOLUTION: DurationMeasure = { measure: 'resolution_seconds', column: 't.resolution_seconds', at: 't.resolved_at' };
export const RESOLUTION_BUSINESS: DurationMeasure = { measure: 'resolution_business_seconds', column: 't.resolution_business_seconds', at: 't.resolved_at' };
export const FIRST_RESPONSE: DurationMeasure = { measure: 'first_response_seconds', column: 't.first_response_seconds', at: 't.first_responded_at' };
export const FIRST_RESPONSE_BUSINESS: DurationMeasure = {
  measure: 'first_response_business_seconds',
  column: 't.first_response_business_seconds',
  at: 't.first_responded_at',
};

/** One group's durations: how many, their sum, and the seconds at each percentile asked for (null without any). */
export interface DurationSummary {
  groups: (string | null)[];
  count: number;
  seconds: number;
  percentiles: Map<number, number | null>;
}

interface Histogram {
  groups: (string | null)[];
  count: number;
  seconds: number;
  buckets: Map<number, number>;
}

/**
 * Per group (by groupKey), the summary of one duration over the window's period, from the roll-up's
 * histogram: whole UTC months from `roll_up`, the partial months at the edges from the rows; then each
 * percentile from the tickets of the one bucket that holds its ranks (read by the duration's index, per
 * assignee), interpolated as percentile_cont does. Null where the roll-up keeps no histogram for this
 * filter and grouping, or where a bucket's tickets are not as many as its histogram says (drift, which
 * `npm run reports:rebuild -- --check` finds): the caller then reads the rows.
 */
export async function durationSummaries(
  em: EntityManager,
  window: ReportWindow,
  dimensions: readonly ReportDimension[],
  duration: DurationMeasure,
  percentiles: number[],
): Promise<Map<string, DurationSummary> | null> {
  const target = targetOf(window, dimensions, [duration.measure]);
  if (!target) return null;
  const histograms = new Map<string, Histogram>();
  const add = (groups: (string | null)[], bucket: number, count: number, seconds: number) => {
    const key = groupKey(Object.fromEntries(groups.map((value, i) => [`g${i}`, value])), dimensions);
    const histogram = histograms.get(key) ?? { groups, count: 0, seconds: 0, buckets: new Map<number, number>() };
    histogram.count += count;
    histogram.seconds += seconds;
    histogram.buckets.set(bucket, (histogram.buckets.get(bucket) ?? 0) + count);
    histograms.set(key, histogram);
  };
  const tickets = () => selectGroups(filteredTickets(em, window).whereNotNull(duration.column), dimensions);
  const { months, rows: edges } = await monthCoverOf(em, window, duration.at);
  if (months) for (const s of await rolledUp(em, target, [duration.measure], months)) add(s.groups, s.bucket!, s.count, s.sum);
  for (const [from, to] of edges) {
    for (const row of await em.execute<GroupedRow[]>(inPeriod(tickets(), duration.at, { from, to }).select(`${duration.column} as seconds`))) {
      const seconds = Number(row.seconds);
      add(dimensions.map((_, i) => (row[`g${i}`] as string | null) ?? null), bucketOf(seconds), 1, seconds);
    }
  }

  // The buckets holding each percentile's two ranks, per group; then those buckets' tickets of the period, in order.
  const plans = new Map<string, { p: number; ranks: { bucket: number; offset: number }[]; fraction: number }[]>();
  // Per bucket, the assignees whose tickets are read for it: those of the groups that need it, when grouped by assignee.
  const byAssignee = target.groups.indexOf('scope') >= 0 && target.scope === 'assignee' ? target.groups.indexOf('scope') : -1;
  const wanted = new Map<number, Set<string | null>>();
  for (const [key, histogram] of histograms) {
    const ordered = [...histogram.buckets.entries()].sort(([a], [b]) => a - b);
    if (ordered.some(([, count]) => count < 0)) return null;
    const counts: number[] = [];
    for (const [bucket, count] of ordered) counts[bucket] = count;
    const dense = Array.from(counts, (count) => count ?? 0);
    plans.set(
      key,
      histogram.count <= 0
        ? []
        : percentiles.map((p) => {
            const { lower, upper, fraction } = percentileRanks(p, histogram.count);
            const ranks = [lower, upper].map((rank) => bucketOfRank(dense, rank));
            for (const { bucket } of ranks) wanted.set(bucket, (wanted.get(bucket) ?? new Set()).add(byAssignee >= 0 ? histogram.groups[byAssignee] : null));
            return { p, ranks, fraction };
          }),
    );
  }
  const values = new Map<string, number[]>();
  if (wanted.size > 0) {
    const knex = em.getKnex();
    // The duration's indexes lead with the assignee: read the assignees that need a bucket, or (not grouped by assignee, no
    // assignee in the filter) every assignee's part of the index and the unassigned.
    const everyAssignee = byAssignee < 0 && target.scope !== 'assignee' ? (await em.execute<{ id: string }[]>('select id from app_user')).map((row) => row.id) : null;
    // Each part its own index-only scan: an OR of the assignees and the unassigned would make it a bitmap scan of the table.
    const inBuckets = [...wanted].flatMap(([bucket, needing]) => {
      const [lower, upper] = bucketRange(bucket);
      const inBucket = () =>
        inPeriod(tickets(), duration.at, window)
          .where(duration.column, '>=', lower)
          .where(duration.column, '<', upper)
          .select(`${duration.column} as seconds`, knex.raw('? as bucket', [bucket]));
      const assignees = byAssignee >= 0 ? [...needing] : everyAssignee;
      if (!assignees) return [inBucket()];
      const ids = assignees.filter((id): id is string => id !== null);
      const parts = ids.length > 0 ? [inBucket().whereRaw('t.assignee_id = any(?::uuid[])', [pgArray(ids)])] : [];
      if (byAssignee < 0 || needing.has(null)) parts.push(inBucket().whereNull('t.assignee_id'));
      return parts;
    });
    const rows = await em.execute<GroupedRow[]>(knex.unionAll(inBuckets, true));
    for (const row of rows) {
      const id = `${groupKey(row, dimensions)}\u0001${row.bucket}`;
      if (!values.has(id)) values.set(id, []);
      values.get(id)!.push(Number(row.seconds));
    }
    for (const list of values.values()) list.sort((a, b) => a - b);
  }
  const summaries = new Map<string, DurationSummary>();
  for (const [key, histogram] of histograms) {
    if (histogram.count === 0) continue;
    const byPercentile = new Map<number, number | null>(percentiles.map((p) => [p, null]));
    for (const { p, ranks, fraction } of plans.get(key)!) {
      const found = ranks.map(({ bucket, offset }) => {
        const list = values.get(`${key}\u0001${bucket}`) ?? [];
        return list.length === histogram.buckets.get(bucket) ? list[offset] : undefined;
      });
      if (found.some((value) => value === undefined)) return null;
      byPercentile.set(p, interpolate(found[0]!, found[1]!, fraction));
    }
    summaries.set(key, { groups: histogram.groups, count: histogram.count, seconds: histogram.seconds, percentiles: byPercentile });
  }
  return summaries;
}
