import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ReportDimension } from './report.inputs';
import { groupBy, type GroupedRow } from './report-groups';
import { filteredTickets, inPeriod, oneScope, type ReportWindow } from './report-window';
import { monthCover, utcDay } from './roll-up-cover';

const OPEN = `status not in ('RESOLVED', 'CLOSED')`;

/** report_scope_month's column for each dimension it keeps; the scope's own dimension is its id. */
function monthColumn(dimension: ReportDimension, scope: 'B' | 'A'): string | null {
  switch (dimension) {
    case ReportDimension.STATUS:
      return 'status';
    case ReportDimension.PRIORITY:
      return 'priority';
    case ReportDimension.CHANNEL:
      return 'channel';
    case ReportDimension.ASSIGNEE:
      return scope === 'A' ? 'scope_id' : null;
    case ReportDimension.BUSINESS:
      return scope === 'B' ? 'scope_id' : null;
    default:
      return null;
  }
}

/**
 * Tickets created in the period per group (`g0`, `g1`, … and `count`, as groupBy gives them), of one
 * business's or one agent's tickets: whole UTC months from report_scope_month (by status, priority,
 * channel and the scope itself) or report_scope_tag_month (by tag alone, a ticket once per tag, the
 * untagged as `g0` null), the partial months at the period's edges from the rows. Null when the
 * filter is not one scope, the grouping is not one the roll-ups keep, or the period holds no whole month.
 */
export async function scopeGroupCounts(em: EntityManager, window: ReportWindow, dimensions: readonly ReportDimension[]): Promise<(GroupedRow & { count: string })[] | null> {
  const one = oneScope(window);
  const { months, rows: edges } = monthCover(window.from, window.to);
  if (!one || !months) return null;
  const knex = em.getKnex();
  const inMonths = (table: string) =>
    knex(table).where({ scope: one.scope, scope_id: one.id }).where('month', '>=', utcDay(months.first)).where('month', '<', utcDay(months.last));
  const groups = dimensions.map((_, i) => `g${i}`);
  const parts: Knex.QueryBuilder[] = [];
  if (dimensions.length === 1 && dimensions[0] === ReportDimension.TAG) {
    parts.push(inMonths('report_scope_tag_month').select('tag_id as g0', 'created as n'));
    parts.push(inMonths('report_scope_month').select(knex.raw('null::uuid as g0'), 'untagged as n'));
  } else {
    const columns = dimensions.map((dimension) => monthColumn(dimension, one.scope));
    if (columns.some((column) => column === null)) return null;
    parts.push(inMonths('report_scope_month').select(...columns.map((column, i) => `${column} as g${i}`), 'created as n'));
  }
  for (const [from, to] of edges) parts.push(groupBy(inPeriod(filteredTickets(em, window), 't.created_at', { from, to }), dimensions).count({ n: '*' }));
  const sum = knex
    .from(knex.unionAll(parts, true).as('x'))
    .select(...groups.map((g) => `x.${g}`))
    .sum({ count: 'x.n' });
  // Without a dimension, one row even of no tickets, as count(*) over the rows gives.
  if (groups.length > 0) sum.groupBy(...groups.map((g) => `x.${g}`)).havingRaw('sum(x.n) > 0');
  return em.execute<(GroupedRow & { count: string })[]>(sum);
}

/**
 * Tickets open now (not resolved or closed) per assignee (`assignee_id`, `open`) — of all assignees, or
 * of `agentId` — from report_scope_month, which counts every ticket by its current status.
 */
export async function openTicketsPerAgent(em: EntityManager, agentId: string | null): Promise<{ assignee_id: string; open: string }[]> {
  const q = em.getKnex()('report_scope_month').where('scope', 'A').whereRaw(OPEN).select('scope_id as assignee_id').sum({ open: 'created' }).groupBy('scope_id');
  if (agentId) q.where('scope_id', agentId);
  return em.execute(q.havingRaw('sum(created) > 0'));
}

/** Tickets open now of one business or agent, from report_scope_month; null when the filter is not one scope. */
export async function openTicketsOfScope(em: EntityManager, window: ReportWindow): Promise<number | null> {
  const one = oneScope(window);
  if (!one) return null;
  const [{ open }] = await em.execute<{ open: string | null }[]>(
    em.getKnex()('report_scope_month').where({ scope: one.scope, scope_id: one.id }).whereRaw(OPEN).sum({ open: 'created' }),
  );
  return Number(open ?? 0);
}
