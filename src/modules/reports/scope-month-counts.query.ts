import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { NO_ASSIGNEE, SLA_PENDING } from './report-digests';
import { ReportDimension } from './report.inputs';
import { groupBy, type GroupedRow } from './report-groups';
import { filteredTickets, inPeriod, narrowsTickets, oneScope, type ReportWindow } from './report-window';
import { inWholeMonths, monthCoverOf } from './month-cover.query';
import { COMPLIANCE, COMPLIANCE_DUE_NOW } from './sla-compliance.sql';

const OPEN = `status not in ('RESOLVED', 'CLOSED')`;

/** The rows of report_scope_month a window's tickets are: one business's or agent's, or all tickets (every assignee's and the unassigned). */
type MonthScope = { scope: 'B' | 'A'; id: string } | { scope: '*' };

function monthScope(window: ReportWindow): MonthScope | null {
  return narrowsTickets(window) ? oneScope(window) : { scope: '*' };
}

function rowsOf(knex: Knex, scope: MonthScope, table = 'report_scope_month'): Knex.QueryBuilder {
  return scope.scope === '*' ? knex(table).whereIn('scope', ['A', 'U']) : knex(table).where({ scope: scope.scope, scope_id: scope.id });
}

/** report_scope_month's column for each dimension it keeps for the scope; a business's or agent's own dimension is its id. */
function monthColumn(dimension: ReportDimension, scope: MonthScope['scope']): string | null {
  switch (dimension) {
    case ReportDimension.STATUS:
      return 'status';
    case ReportDimension.PRIORITY:
      return 'priority';
    case ReportDimension.CHANNEL:
      return 'channel';
    case ReportDimension.ASSIGNEE:
      return scope === 'A' ? 'scope_id' : scope === '*' ? `nullif(scope_id, '${NO_ASSIGNEE}')` : null;
    case ReportDimension.BUSINESS:
      return scope === 'B' ? 'scope_id' : null;
    default:
      return null;
  }
}

/**
 * Per group (`g0`, `g1`, … as groupBy gives them) the sums of report_scope_month's `counts` (or
 * report_scope_tag_month's by TAG alone, a ticket once per tag, the untagged as `g0` null) over the
 * period's whole UTC months, united with the parts `extra` gives for those months and with `fromRows`
 * of the partial months at its edges (all selecting the same columns). Null when the window's tickets are not a scope the roll-up keeps, the
 * grouping is not one it keeps, or the period holds no whole month.
 */
async function monthSums(
  em: EntityManager,
  window: ReportWindow,
  dimensions: readonly ReportDimension[],
  counts: Record<string, string>,
  extra: (whole: { from: Date; to: Date }) => Knex.QueryBuilder[],
  fromRows: (edge: { from: Date; to: Date }) => Knex.QueryBuilder,
): Promise<GroupedRow[] | null> {
  const scope = monthScope(window);
  if (!scope) return null;
  const { months, rows: edges } = await monthCoverOf(em, window, 't.created_at');
  if (!months) return null;
  const knex = em.getKnex();
  const inMonths = (table?: string) => inWholeMonths(rowsOf(knex, scope, table), months);
  const groups = dimensions.map((_, i) => `g${i}`);
  const parts: Knex.QueryBuilder[] = [];
  const sums = Object.keys(counts);
  if (dimensions.length === 1 && dimensions[0] === ReportDimension.TAG) {
    if (scope.scope === '*') return null;
    parts.push(inMonths('report_scope_tag_month').select('tag_id as g0', 'created as count'));
    parts.push(inMonths().select(knex.raw('null::uuid as g0'), 'untagged as count'));
  } else {
    const columns = dimensions.map((dimension) => monthColumn(dimension, scope.scope));
    if (columns.some((column) => column === null)) return null;
    parts.push(inMonths().select(...columns.map((column, i) => knex.raw(`${column} as g${i}`)), ...sums.map((as) => knex.raw(`${counts[as]} as ${as}`))));
  }
  parts.push(...extra({ from: months.first, to: months.last }));
  for (const [from, to] of edges) parts.push(fromRows({ from, to }));
  const sum = knex.from(knex.unionAll(parts, true).as('x')).select(...groups.map((g) => `x.${g}`), ...sums.map((as) => knex.raw(`sum(x.${as}) as ${as}`)));
  // Without a dimension, one row even of no tickets, as an aggregate over the rows gives.
  if (groups.length > 0) sum.groupBy(...groups.map((g) => `x.${g}`)).havingRaw(`sum(x.${sums[0]}) > 0`);
  return em.execute<GroupedRow[]>(sum);
}

/**
 * Tickets created in the period per group (`count`), from report_scope_month and report_scope_tag_month:
 * of one business or agent by status, priority, channel, tag or the scope itself; of all tickets by
 * status, priority, channel and assignee. Null where the roll-ups do not answer (see monthSums).
 */
export async function scopeGroupCounts(em: EntityManager, window: ReportWindow, dimensions: readonly ReportDimension[]): Promise<(GroupedRow & { count: string })[] | null> {
  const rows = await monthSums(em, window, dimensions, { count: 'created' }, () => [], (edge) =>
    groupBy(inPeriod(filteredTickets(em, window), 't.created_at', edge), dimensions).count({ count: '*' }),
  );
  return rows as (GroupedRow & { count: string })[] | null;
}

/**
 * slaCompliance's counts per group (as COMPLIANCE gives them over the rows) from report_scope_month's
 * settled outcomes over the whole months, plus the targets that have fallen due by now (of the tickets
 * not settled yet in those months, from their partial index), plus the partial months at the edges
 * from the rows. Null where the roll-up does not answer.
 */
export async function scopeCompliance(em: EntityManager, window: ReportWindow, dimensions: readonly ReportDimension[]): Promise<GroupedRow[] | null> {
  if (dimensions.includes(ReportDimension.TAG)) return null;
  const knex = em.getKnex();
  const counts = { tickets: 'created', fr_met: 'fr_met', fr_breached: 'fr_breached', res_met: 'res_met', res_breached: 'res_breached' };
  const rows = (range: { from: Date; to: Date }) => groupBy(inPeriod(filteredTickets(em, window), 't.created_at', range), dimensions);
  const dueNow = (whole: { from: Date; to: Date }) => [rows(whole).whereRaw(SLA_PENDING).select(knex.raw(COMPLIANCE_DUE_NOW))];
  return monthSums(em, window, dimensions, counts, dueNow, (edge) => rows(edge).select(knex.raw(COMPLIANCE)));
}

/** Tickets open now of one business or agent, from report_scope_month; null when the filter is something else. */
export async function openTicketsOfScope(em: EntityManager, window: ReportWindow): Promise<number | null> {
  const one = oneScope(window);
  if (!one) return null;
  const [{ open }] = await em.execute<{ open: string | null }[]>(rowsOf(em.getKnex(), one).whereRaw(OPEN).sum({ open: 'created' }));
  return Number(open ?? 0);
}
