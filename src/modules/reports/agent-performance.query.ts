import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { optionalIdOf } from '../../shared/validation';
import { User } from '../users/user.entity';
import { durationSummaries, FIRST_RESPONSE, RESOLUTION, RESOLUTION_BUSINESS, type DurationMeasure } from './duration-percentiles.query';
import { MOVE_INSTANTS, monthCoverOf } from './month-cover.query';
import { ReportDimension } from './report.inputs';
import type { AgentPerformanceRow } from './report.payloads';
import type { GroupedRow } from './report-groups';
import { filteredTickets, inPeriod, ratio, type ReportWindow } from './report-window';
import { periodSums, rolledUp, scopeOf, targetOf, type Target } from './roll-up.query';
import { REOPEN, RESOLVED_MOVE } from './timeline-moves';

const BY_ASSIGNEE = [ReportDimension.ASSIGNEE];
const FINISHED = ['RESOLVED', 'CLOSED'];

type Row = Record<string, unknown>;
const byAgent = (rows: GroupedRow[]) => new Map(rows.filter((row) => row.g0 !== null && row.g0 !== undefined).map((row) => [String(row.g0), row]));
const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/**
 * Assignment entries in the period per agent they name (`g0`, `assigned`), of the window's tickets
 * (its filter without `assigneeId`): whole months from the roll-up over all tickets or one business's,
 * the partial months at the edges from the timeline; for another filter, all from the timeline.
 */
async function assignments(em: EntityManager, window: ReportWindow, agentId: string | null): Promise<GroupedRow[]> {
  const knex = em.getKnex();
  const base = scopeOf(window, ['assigneeId']);
  const ofRows = (range: { from: Date; to: Date }) => {
    const q = inPeriod(knex('ticket_event as e').whereNotNull('e.assigned_to_id'), 'e.created_at', range);
    if (base?.scope !== 'all') q.join(filteredTickets(em, window, ['assigneeId']).select('t.id').as('t'), 't.id', 'e.ticket_id');
    if (agentId) q.where('e.assigned_to_id', agentId);
    return q.select('e.assigned_to_id as g0').count({ assigned: '*' }).groupBy('e.assigned_to_id');
  };
  if (!base || base.scope === 'assignee') return em.execute<GroupedRow[]>(ofRows(window));
  const target: Target = { scope: base.scope, scopeId: base.id, dimension: 'assigned_to', groups: ['key'] };
  const { months, rows: edges } = await monthCoverOf(em, window, { table: 'ticket_event e', column: 'e.created_at', where: 'e.assigned_to_id is not null' });
  const parts: GroupedRow[] = months ? (await rolledUp(em, target, ['assigned'], months)).map((s) => ({ g0: s.groups[0], assigned: s.count })) : [];
  for (const [from, to] of edges) parts.push(...(await em.execute<GroupedRow[]>(ofRows({ from, to }))));
  const sums = new Map<string, number>();
  for (const part of parts) if (!agentId || part.g0 === agentId) sums.set(String(part.g0), (sums.get(String(part.g0)) ?? 0) + Number(part.assigned));
  return [...sums].map(([g0, assigned]) => ({ g0, assigned }));
}

/** Reopens in the period of the tickets now assigned to each agent (`g0`, `reopen`). */
async function reopens(em: EntityManager, window: ReportWindow): Promise<GroupedRow[]> {
  const knex = em.getKnex();
  const ofRows = (range: { from: Date; to: Date }) =>
    inPeriod(knex('ticket_event as e').whereRaw(`${RESOLVED_MOVE} and ${REOPEN}`), 'e.created_at', range)
      .join(filteredTickets(em, window).whereNotNull('t.assignee_id').select('t.id', 't.assignee_id').as('t'), 't.id', 'e.ticket_id')
      .select('t.assignee_id as g0')
      .count({ reopen: '*' })
      .groupBy('t.assignee_id');
  return (await periodSums(em, window, BY_ASSIGNEE, ['reopen'], MOVE_INSTANTS, ofRows)) ?? em.execute<GroupedRow[]>(ofRows(window));
}

/** Resolutions in the period per current assignee: how many, how many met the target, ratings and their sum. */
async function resolutions(em: EntityManager, window: ReportWindow): Promise<GroupedRow[]> {
  const knex = em.getKnex();
  const ofRows = (range: { from: Date; to: Date }) =>
    inPeriod(filteredTickets(em, window).whereNotNull('t.assignee_id'), 't.resolved_at', range)
      .select(
        't.assignee_id as g0',
        knex.raw(`count(*) as resolved, count(*) filter (where t.resolution_breached_at is null) as resolved_met,
          count(t.satisfaction_score) as rated, coalesce(sum(t.satisfaction_score), 0) as rated_sum`),
      )
      .groupBy('t.assignee_id');
  return (await periodSums(em, window, BY_ASSIGNEE, ['resolved', 'resolved_met', 'rated'], 't.resolved_at', ofRows)) ?? em.execute<GroupedRow[]>(ofRows(window));
}

type MedianField = 'resolution' | 'resolutionBusiness' | 'firstResponse';

/** Per agent, the median of a duration in the period, in hours: from the roll-up's histograms, else percentile_cont over the rows. */
async function medians(em: EntityManager, window: ReportWindow): Promise<Map<string, Record<MedianField, number | null>>> {
  const found = new Map<string, Record<MedianField, number | null>>();
  const hours = (seconds: number | null | undefined) => (seconds === null || seconds === undefined ? null : seconds / 3600);
  const set = (agent: string, field: MedianField, value: number | null) =>
    found.set(agent, { resolution: null, resolutionBusiness: null, firstResponse: null, ...found.get(agent), [field]: value });
  // Durations counted at the same instant are read together.
  for (const fields of [
    [
      ['resolution', RESOLUTION],
      ['resolutionBusiness', RESOLUTION_BUSINESS],
    ],
    [['firstResponse', FIRST_RESPONSE]],
  ] as [MedianField, DurationMeasure][][]) {
    const summaries = await durationSummaries(em, window, BY_ASSIGNEE, fields.map(([, duration]) => duration), [0.5]);
    if (summaries) {
      fields.forEach(([field], i) => {
        for (const summary of summaries[i].values()) if (summary.groups[0]) set(summary.groups[0], field, hours(summary.percentiles.get(0.5)));
      });
      continue;
    }
    const q = inPeriod(filteredTickets(em, window).whereNotNull('t.assignee_id'), fields[0][1].at, window)
      .select('t.assignee_id', ...fields.map(([field, duration]) => em.getKnex().raw(`percentile_cont(0.5) within group (order by ${duration.column}) / 3600.0 as "${field}"`)))
      .groupBy('t.assignee_id');
    for (const row of await em.execute<Row[]>(q)) for (const [field] of fields) set(String(row.assignee_id), field, num(row[field]));
  }
  return found;
}

/** Tickets open now per current assignee: from the roll-up's counts by status, else from the rows. */
async function openTickets(em: EntityManager, window: ReportWindow): Promise<Map<string, number>> {
  const target = targetOf(window, [ReportDimension.ASSIGNEE, ReportDimension.STATUS], ['created']);
  const open = new Map<string, number>();
  if (target) {
    for (const s of await rolledUp(em, target, ['created'], null)) {
      if (s.groups[0] && !FINISHED.includes(s.groups[1]!)) open.set(s.groups[0], (open.get(s.groups[0]) ?? 0) + s.count);
    }
    return open;
  }
  const q = filteredTickets(em, window).whereNotNull('t.assignee_id').whereNotIn('t.status', FINISHED).select('t.assignee_id').count({ open: '*' }).groupBy('t.assignee_id');
  for (const row of await em.execute<Row[]>(q as Knex.QueryBuilder)) open.set(String(row.assignee_id), Number(row.open));
  return open;
}

/**
 * Per staff member, tickets counted under their current assignee. The report's ticket filter applies
 * to the tickets; its `assigneeId` picks the agent (so "assigned" counts the entries that assigned
 * any ticket of the filter to them).
 */
export async function agentPerformance(em: EntityManager, window: ReportWindow): Promise<AgentPerformanceRow[]> {
  const agentId = optionalIdOf(window.filter?.assigneeId, 'User', 'filter.assigneeId');
  const [resolved, reopened, assigned, durations, open] = [
    byAgent(await resolutions(em, window)),
    byAgent(await reopens(em, window)),
    byAgent(await assignments(em, window, agentId)),
    await medians(em, window),
    await openTickets(em, window),
  ];
  const agents = await em.find(User, agentId ? { id: agentId } : {}, { orderBy: { name: 'asc', id: 'asc' } });
  return agents
    .map((agent) => {
      const res = resolved.get(agent.id);
      const resolvedCount = Number(res?.resolved ?? 0);
      const rated = Number(res?.rated ?? 0);
      return {
        agent,
        assigned: Number(assigned.get(agent.id)?.assigned ?? 0),
        resolved: resolvedCount,
        reopened: Number(reopened.get(agent.id)?.reopen ?? 0),
        medianResolutionHours: durations.get(agent.id)?.resolution ?? null,
        medianResolutionBusinessHours: durations.get(agent.id)?.resolutionBusiness ?? null,
        medianFirstResponseHours: durations.get(agent.id)?.firstResponse ?? null,
        slaComplianceRate: ratio(Number(res?.resolved_met ?? 0), resolvedCount),
        meanSatisfaction: rated > 0 ? Number(res?.rated_sum) / rated : null,
        openTickets: open.get(agent.id) ?? 0,
      };
    })
    .sort((a, b) => b.resolved - a.resolved || b.openTickets - a.openTickets);
}
