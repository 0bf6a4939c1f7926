import type { EntityManager } from '@mikro-orm/postgresql';
import type { ReportDimension } from './report.inputs';
import type { ComplianceStats, DurationStats, ResolutionTimesRow, SatisfactionRow, SlaComplianceRow } from './report.payloads';
import { durationSummaries, FIRST_RESPONSE, FIRST_RESPONSE_BUSINESS, RESOLUTION, RESOLUTION_BUSINESS, type DurationSummary } from './duration-percentiles.query';
import { monthCoverOf } from './month-cover.query';
import { describeGroups, groupBy, groupKey, type GroupedRow } from './report-groups';
import { filteredTickets, inPeriod, ratio, type ReportWindow } from './report-window';
import { periodSums } from './roll-up.query';
import { COMPLIANCE, COMPLIANCE_DUE_NOW, COMPLIANCE_MEASURES, SLA_PENDING } from './sla-compliance.sql';

/** count, mean, median and p90 of a seconds column, in hours, as `<prefix>_count` … */
function durationColumns(column: string, prefix: string): string {
  return [
    `count(${column}) as ${prefix}_count`,
    `avg(${column}) / 3600.0 as ${prefix}_mean`,
    `percentile_cont(0.5) within group (order by ${column}) / 3600.0 as ${prefix}_median`,
    `percentile_cont(0.9) within group (order by ${column}) / 3600.0 as ${prefix}_p90`,
  ].join(', ');
}

function durationStats(row: GroupedRow | undefined, prefix: string): DurationStats {
  const number = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    count: Number(row?.[`${prefix}_count`] ?? 0),
    meanHours: number(row?.[`${prefix}_mean`]),
    medianHours: number(row?.[`${prefix}_median`]),
    p90Hours: number(row?.[`${prefix}_p90`]),
  };
}

/** Rows of several grouped queries, merged by group, in the order of the groups' keys (whichever way the rows were read). */
async function merged(em: EntityManager, dimensions: ReportDimension[], ...results: GroupedRow[][]) {
  const all = results.flat();
  const described = await describeGroups(em, dimensions, all);
  const byKey = results.map((rows) => new Map(rows.map((row) => [groupKey(row, dimensions), row])));
  return [...described]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, group]) => ({ group, rows: byKey.map((map) => map.get(key)) }));
}

/** The columns durationColumns gives, from a roll-up's summary of a duration. */
function summaryColumns(summary: DurationSummary | undefined, prefix: string): GroupedRow {
  const hours = (seconds: number | null | undefined) => (seconds === null || seconds === undefined ? null : seconds / 3600);
  const count = summary?.count ?? 0;
  return {
    [`${prefix}_count`]: count,
    [`${prefix}_mean`]: count > 0 ? summary!.seconds / count / 3600 : null,
    [`${prefix}_median`]: hours(summary?.percentiles.get(0.5)),
    [`${prefix}_p90`]: hours(summary?.percentiles.get(0.9)),
  };
}

/** resolutionTimes' grouped rows from the roll-up's histograms (see durationSummaries), or null where they cannot answer. */
async function resolutionTimesRolledUp(em: EntityManager, window: ReportWindow, dimensions: ReportDimension[]): Promise<GroupedRow[][] | null> {
  const results: GroupedRow[][] = [];
  for (const [wall, business] of [
    [RESOLUTION, RESOLUTION_BUSINESS],
    [FIRST_RESPONSE, FIRST_RESPONSE_BUSINESS],
  ]) {
    const summaries = await durationSummaries(em, window, dimensions, [wall, business], [0.5, 0.9]);
    if (!summaries) return null;
    const [w, b] = summaries;
    const keys = new Set([...w.keys(), ...b.keys()]);
    // Without a dimension, one row even without tickets, as the aggregate over no rows gives.
    if (dimensions.length === 0) keys.add(groupKey({}, dimensions));
    results.push(
      [...keys].map((key) => {
        const groups = (w.get(key) ?? b.get(key))?.groups ?? [];
        return { ...Object.fromEntries(groups.map((value, i) => [`g${i}`, value])), ...summaryColumns(w.get(key), 'wall'), ...summaryColumns(b.get(key), 'business') };
      }),
    );
  }
  return results;
}

/** Time to resolution (resolved in the period) and to first response (first answered in the period). */
export async function resolutionTimes(em: EntityManager, window: ReportWindow, dimensions: ReportDimension[]): Promise<ResolutionTimesRow[]> {
  const [resolved, answered] = (await resolutionTimesRolledUp(em, window, dimensions)) ?? (await resolutionTimesFromRows(em, window, dimensions));
  return (await merged(em, dimensions, resolved, answered)).map(({ group, rows: [r, f] }) => ({
    group,
    resolution: durationStats(r, 'wall'),
    resolutionBusiness: durationStats(r, 'business'),
    firstResponse: durationStats(f, 'wall'),
    firstResponseBusiness: durationStats(f, 'business'),
  }));
}

/** resolutionTimes' grouped rows from the tickets' rows: percentile_cont over every duration of the period. */
async function resolutionTimesFromRows(em: EntityManager, window: ReportWindow, dimensions: ReportDimension[]): Promise<GroupedRow[][]> {
  const knex = em.getKnex();
  const resolution = groupBy(inPeriod(filteredTickets(em, window), 't.resolved_at', window), dimensions).select(
    knex.raw(`${durationColumns('t.resolution_seconds', 'wall')}, ${durationColumns('t.resolution_business_seconds', 'business')}`),
  );
  const firstResponse = groupBy(inPeriod(filteredTickets(em, window), 't.first_responded_at', window), dimensions).select(
    knex.raw(`${durationColumns('t.first_response_seconds', 'wall')}, ${durationColumns('t.first_response_business_seconds', 'business')}`),
  );
  return [await em.execute<GroupedRow[]>(resolution), await em.execute<GroupedRow[]>(firstResponse)];
}

function compliance(row: GroupedRow | undefined, measure: 'first_response' | 'resolution'): ComplianceStats {
  const tickets = Number(row?.created ?? 0);
  const met = Number(row?.[`${measure}_met`] ?? 0);
  const breached = Number(row?.[`${measure}_breached`] ?? 0);
  return { met, breached, pending: tickets - met - breached, rate: ratio(met, met + breached) };
}

/**
 * Of the tickets created in the period, per target: met, breached, pending (see COMPLIANCE). From the
 * roll-up where it keeps the grouping: its settled outcomes over the whole months, plus the targets that
 * have fallen due by now among those months' tickets not settled yet (their partial index), plus the
 * partial months at the edges from the rows.
 */
export async function slaCompliance(em: EntityManager, window: ReportWindow, dimensions: ReportDimension[]): Promise<SlaComplianceRow[]> {
  const knex = em.getKnex();
  const ofRows = (range: { from: Date; to: Date }) => groupBy(inPeriod(filteredTickets(em, window), 't.created_at', range), dimensions);
  let rows = await periodSums(em, window, dimensions, COMPLIANCE_MEASURES, 't.created_at', (range) => ofRows(range).select(knex.raw(COMPLIANCE)));
  if (rows) {
    const { months } = await monthCoverOf(em, window, 't.created_at');
    if (months) rows = [...rows, ...(await em.execute<GroupedRow[]>(ofRows({ from: months.first, to: months.last }).whereRaw(SLA_PENDING).select(knex.raw(COMPLIANCE_DUE_NOW))))];
  } else {
    rows = await em.execute<GroupedRow[]>(ofRows(window).select(knex.raw(COMPLIANCE)));
  }
  const summed = new Map<string, GroupedRow>();
  for (const row of rows) {
    const key = groupKey(row, dimensions);
    const sum = summed.get(key) ?? { ...row, ...Object.fromEntries(COMPLIANCE_MEASURES.map((m) => [m, 0])) };
    for (const measure of COMPLIANCE_MEASURES) sum[measure] = Number(sum[measure]) + Number(row[measure] ?? 0);
    summed.set(key, sum);
  }
  return (await merged(em, dimensions, [...summed.values()])).map(({ group, rows: [row] }) => ({
    group,
    tickets: Number(row?.created ?? 0),
    firstResponse: compliance(row, 'first_response'),
    resolution: compliance(row, 'resolution'),
  }));
}

const SCORES = [1, 2, 3, 4, 5];

/** Ratings of the tickets resolved in the period: from the roll-up where it keeps the grouping (a rating's bucket is its score), else from the rows. */
export async function satisfaction(em: EntityManager, window: ReportWindow, dimensions: ReportDimension[]): Promise<SatisfactionRow[]> {
  const knex = em.getKnex();
  const ofRows = (range: { from: Date; to: Date }) =>
    groupBy(inPeriod(filteredTickets(em, window), 't.resolved_at', range), dimensions).select(
      knex.raw(
        `count(*) as resolved, count(t.satisfaction_score) as rated, coalesce(sum(t.satisfaction_score), 0) as rated_sum, ` +
          SCORES.map((score) => `count(*) filter (where t.satisfaction_score = ${score}) as rated_${score}`).join(', '),
      ),
    );
  const rows = (await periodSums(em, window, dimensions, ['resolved', 'rated'], 't.resolved_at', ofRows)) ?? (await em.execute<GroupedRow[]>(ofRows(window)));
  return (await merged(em, dimensions, rows)).map(({ group, rows: [row] }) => {
    const resolved = Number(row?.resolved ?? 0);
    const rated = Number(row?.rated ?? 0);
    return {
      group,
      resolved,
      rated,
      responseRate: ratio(rated, resolved),
      meanScore: rated > 0 ? Number(row?.rated_sum) / rated : null,
      distribution: SCORES.map((score) => Number(row?.[`rated_${score}`] ?? 0)),
    };
  });
}
