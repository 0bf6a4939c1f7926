import type { EntityManager } from '@mikro-orm/postgresql';
import { optionalIdOf } from '../../shared/validation';
import type { ReportDimension } from './report.inputs';
import type { ComplianceStats, DurationStats, ResolutionTimesRow, SatisfactionRow, SlaComplianceRow } from './report.payloads';
import { durationFigures, durationFiguresApply, type DurationFigures, type DurationSummary } from './duration-roll-up.query';
import { describeGroups, groupBy, groupKey, type GroupedRow } from './report-groups';
import { filteredTickets, inPeriod, ratio, type ReportWindow } from './report-window';
import { scopeCompliance } from './scope-month-counts.query';
import { COMPLIANCE } from './sla-compliance.sql';

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

/** Rows of several grouped queries, merged by group, in the order groups first appear. */
async function merged(em: EntityManager, dimensions: ReportDimension[], ...results: GroupedRow[][]) {
  const all = results.flat();
  const described = await describeGroups(em, dimensions, all);
  const byKey = results.map((rows) => new Map(rows.map((row) => [groupKey(row, dimensions), row])));
  return [...described].map(([key, group]) => ({ group, rows: byKey.map((map) => map.get(key)) }));
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

/** resolutionTimes' grouped rows from report_duration_month and duration buckets (see durationFigures), or null where they cannot answer. */
async function resolutionTimesRolledUp(em: EntityManager, window: ReportWindow, dimensions: ReportDimension[]): Promise<GroupedRow[][] | null> {
  const dimension = dimensions[0] ?? null;
  const agentId = optionalIdOf(window.filter?.assigneeId, 'User', 'filter.assigneeId');
  const resolved = await durationFigures(em, window, dimension, 'R', [0.5, 0.9], agentId);
  const answered = resolved && (await durationFigures(em, window, dimension, 'F', [0.5, 0.9], agentId));
  if (!resolved || !answered) return null;
  return [resolved, answered].map((figures) => {
    const row = (key: string, f: DurationFigures | undefined) => ({ ...(dimension ? { g0: key || null } : {}), ...summaryColumns(f?.wall, 'wall'), ...summaryColumns(f?.business, 'business') });
    // Without a dimension, one row even without tickets, as the aggregate over no rows gives.
    return dimension ? [...figures].map(([key, f]) => row(key, f)) : [row('', figures.get(''))];
  });
}

/** Time to resolution (resolved in the period) and to first response (first answered in the period). */
export async function resolutionTimes(em: EntityManager, window: ReportWindow, dimensions: ReportDimension[]): Promise<ResolutionTimesRow[]> {
  const [resolved, answered] =
    (durationFiguresApply(window, dimensions) && (await resolutionTimesRolledUp(em, window, dimensions))) || (await resolutionTimesFromRows(em, window, dimensions));
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

function compliance(row: GroupedRow | undefined, prefix: 'fr' | 'res'): ComplianceStats {
  const tickets = Number(row?.tickets ?? 0);
  const met = Number(row?.[`${prefix}_met`] ?? 0);
  const breached = Number(row?.[`${prefix}_breached`] ?? 0);
  return { met, breached, pending: tickets - met - breached, rate: ratio(met, met + breached) };
}

/** Of the tickets created in the period, per target: met, breached, pending (see COMPLIANCE). */
export async function slaCompliance(em: EntityManager, window: ReportWindow, dimensions: ReportDimension[]): Promise<SlaComplianceRow[]> {
  const rows =
    (await scopeCompliance(em, window, dimensions)) ??
    (await em.execute<GroupedRow[]>(groupBy(inPeriod(filteredTickets(em, window), 't.created_at', window), dimensions).select(em.getKnex().raw(COMPLIANCE))));
  return (await merged(em, dimensions, rows)).map(({ group, rows: [row] }) => ({
    group,
    tickets: Number(row?.tickets ?? 0),
    firstResponse: compliance(row, 'fr'),
    resolution: compliance(row, 'res'),
  }));
}

/** Ratings of the tickets resolved in the period. */
export async function satisfaction(em: EntityManager, window: ReportWindow, dimensions: ReportDimension[]): Promise<SatisfactionRow[]> {
  const q = groupBy(inPeriod(filteredTickets(em, window), 't.resolved_at', window), dimensions)
    .select(
      em
        .getKnex()
        .raw(
          `count(*) as resolved, count(t.satisfaction_score) as rated, avg(t.satisfaction_score) as mean, ` +
            [1, 2, 3, 4, 5].map((score) => `count(*) filter (where t.satisfaction_score = ${score}) as s${score}`).join(', '),
        ),
    );
  const rows = await em.execute<GroupedRow[]>(q);
  return (await merged(em, dimensions, rows)).map(({ group, rows: [row] }) => {
    const resolved = Number(row?.resolved ?? 0);
    const rated = Number(row?.rated ?? 0);
    return {
      group,
      resolved,
      rated,
      responseRate: ratio(rated, resolved),
      meanScore: row?.mean === null || row?.mean === undefined ? null : Number(row.mean),
      distribution: [1, 2, 3, 4, 5].map((score) => Number(row?.[`s${score}`] ?? 0)),
    };
  });
}
