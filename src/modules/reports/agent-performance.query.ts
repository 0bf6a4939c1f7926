import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { optionalIdOf } from '../../shared/validation';
import { User } from '../users/user.entity';
import { durationFigures, durationFiguresApply } from './duration-roll-up.query';
import { ReportDimension } from './report.inputs';
import type { AgentPerformanceRow } from './report.payloads';
import { inWholeMonths, monthCoverOf } from './month-cover.query';
import { filteredTickets, inPeriod, narrowsTickets, oneScope, ratio, type ReportWindow } from './report-window';
import { DAY, rollUpCover, utcDay } from './roll-up-cover';
import { openTicketsOfScope } from './scope-month-counts.query';
import { REOPEN, RESOLVED_MOVE } from './timeline-moves';

type Row = Record<string, string | null>;

const byAssignee = (rows: Row[]) => new Map(rows.map((row) => [row.assignee_id, row]));
const num = (value: string | null | undefined) => (value === null || value === undefined ? null : Number(value));

/** Reopens of the filtered tickets in the period per current assignee, from the instants on the (few) reopened tickets' rows. */
function reopensOfRows(em: EntityManager, window: ReportWindow, agentId: string | null): Promise<Row[]> {
  const tickets = filteredTickets(em, window, ['assigneeId']).whereNotNull('t.assignee_id');
  if (agentId) tickets.where('t.assignee_id', agentId);
  const reopens = inPeriod(tickets.whereRaw('cardinality(t.reopened_moves) > 0').joinRaw('cross join unnest(t.reopened_moves) as m(at)'), 'm.at', window);
  return em.execute<Row[]>(reopens.select('t.assignee_id').count({ reopened: '*' }).groupBy('t.assignee_id'));
}

/** Assignment entries in `range` naming each agent (`assignee_id`, `assigned`), from the assignments on the filtered tickets' rows. */
function assignmentsOfRows(em: EntityManager, window: ReportWindow, range: { from: Date; to: Date }, agentId: string | null): Knex.QueryBuilder {
  const assignments = inPeriod(filteredTickets(em, window, ['assigneeId']).joinRaw('cross join unnest(t.assigned_at, t.assigned_to) as a(at, agent)'), 'a.at', range);
  if (agentId) assignments.where('a.agent', agentId);
  return assignments.select('a.agent as assignee_id').count({ assigned: '*' }).groupBy('a.agent');
}

/**
 * Assignment entries in the period naming each agent, of one business's tickets: whole months from
 * report_business_assignment_month, the partial months at the edges from the tickets' rows.
 */
async function assignmentsOfBusiness(em: EntityManager, window: ReportWindow, businessId: string, agentId: string | null): Promise<Row[]> {
  const knex = em.getKnex();
  const { months, rows: edges } = await monthCoverOf(em, window, { table: 'ticket_event e', column: 'e.created_at', where: 'e.assigned_to_id is not null' });
  const parts = edges.map(([from, to]) => assignmentsOfRows(em, window, { from, to }, agentId));
  if (months) {
    const rolledUp = inWholeMonths(knex('report_business_assignment_month').where('business_id', businessId), months).select('assignee_id', 'assigned');
    parts.push(agentId ? rolledUp.where('assignee_id', agentId) : rolledUp);
  }
  return em.execute<Row[]>(knex.select('x.assignee_id').sum({ assigned: 'x.assigned' }).from(knex.unionAll(parts, true).as('x')).groupBy('x.assignee_id'));
}

/**
 * Reopens (of the tickets now assigned to each agent) and assignment entries (naming each agent) in
 * the period, per assignee (`assignee_id`, `reopened` / `assigned`). Over all tickets: whole UTC days
 * from report_scope_day and report_assignment_day, the partial days at the edges from the timeline.
 * Narrowed by a ticket filter: from the instants on the filtered tickets' rows; to one business, its
 * assignments as assignmentsOfBusiness gives them.
 */
async function movesOfAgents(em: EntityManager, window: ReportWindow, agentId: string | null): Promise<[Row[], Row[]]> {
  const knex = em.getKnex();
  const forAgent = (q: Knex.QueryBuilder, column: string) => (agentId ? q.where(column, agentId) : q);
  const business = oneScope({ ...window, filter: { ...window.filter, assigneeId: null } });
  if (business?.scope === 'B') return [await reopensOfRows(em, window, agentId), await assignmentsOfBusiness(em, window, business.id, agentId)];
  if (narrowsTickets(window, ['assigneeId'])) {
    return [await reopensOfRows(em, window, agentId), await em.execute<Row[]>(assignmentsOfRows(em, window, window, agentId))];
  }
  const cover = rollUpCover(window.from, window.to, [], DAY);
  const reopens: Knex.QueryBuilder[] = [];
  const assignments: Knex.QueryBuilder[] = [];
  if (cover.units) {
    const days = (q: Knex.QueryBuilder) => q.where('day', '>=', utcDay(cover.units!.from)).where('day', '<', utcDay(cover.units!.to));
    reopens.push(forAgent(days(knex('report_scope_day').where('scope', 'A')), 'scope_id').select('scope_id as assignee_id', 'reopened as n'));
    assignments.push(forAgent(days(knex('report_assignment_day')), 'assignee_id').select('assignee_id', 'assigned as n'));
  }
  for (const [from, to] of cover.rows) {
    const entries = knex('ticket_event as e').whereRaw(`${RESOLVED_MOVE} and ${REOPEN}`).join('ticket as t', 't.id', 'e.ticket_id').whereNotNull('t.assignee_id');
    reopens.push(forAgent(inPeriod(entries, 'e.created_at', { from, to }), 't.assignee_id').select('t.assignee_id', knex.raw('1 as n')));
    const assigned = inPeriod(knex('ticket_event as a').whereNotNull('a.assigned_to_id'), 'a.created_at', { from, to });
    assignments.push(forAgent(assigned, 'a.assigned_to_id').select('a.assigned_to_id as assignee_id', knex.raw('1 as n')));
  }
  const total = (parts: Knex.QueryBuilder[], as: string) =>
    em.execute<Row[]>(knex.select('x.assignee_id').sum({ [as]: 'x.n' }).from(knex.unionAll(parts, true).as('x')).groupBy('x.assignee_id'));
  return [await total(reopens, 'reopened'), await total(assignments, 'assigned')];
}

/** The rows of the resolved and first-response statements below, from report_duration_month (see durationFigures); null where it cannot answer. */
async function outcomesRolledUp(em: EntityManager, window: ReportWindow, agentId: string | null): Promise<[Row[], Row[]] | null> {
  const resolved = await durationFigures(em, window, ReportDimension.ASSIGNEE, 'R', [0.5], agentId);
  const answered = resolved && (await durationFigures(em, window, ReportDimension.ASSIGNEE, 'F', [0.5], agentId));
  if (!resolved || !answered) return null;
  const hours = (seconds: number | null | undefined) => (seconds === null || seconds === undefined ? null : String(seconds / 3600));
  // Tickets without an assignee have no agent to count for.
  const assigned = <T>(figures: Map<string, T>) => [...figures].filter(([key]) => key !== '');
  return [
    assigned(resolved).map(([key, f]) => ({
      assignee_id: key,
      resolved: String(f.tickets),
      median_resolution: hours(f.wall.percentiles.get(0.5)),
      median_resolution_business: hours(f.business.percentiles.get(0.5)),
      met: String(f.met),
      mean_score: f.rated > 0 ? String(f.scoreSum / f.rated) : null,
    })),
    assigned(answered).map(([key, f]) => ({ assignee_id: key, median_first_response: hours(f.wall.percentiles.get(0.5)) })),
  ];
}

/**
 * Per staff member, tickets counted under their current assignee. The report's ticket filter applies
 * to the tickets; its `assigneeId` picks the agent instead (so "assigned" still counts the entries
 * that assigned tickets to them).
 */
export async function agentPerformance(em: EntityManager, window: ReportWindow): Promise<AgentPerformanceRow[]> {
  const knex = em.getKnex();
  const agentId = optionalIdOf(window.filter?.assigneeId, 'User', 'filter.assigneeId');
  const tickets = () => {
    const q = filteredTickets(em, window, ['assigneeId']).whereNotNull('t.assignee_id').groupBy('t.assignee_id').select('t.assignee_id');
    return agentId ? q.where('t.assignee_id', agentId) : q;
  };

  const [resolved, answered] = (durationFiguresApply(window, [ReportDimension.ASSIGNEE]) && (await outcomesRolledUp(em, window, agentId))) || [
    await em.execute<Row[]>(
      inPeriod(tickets(), 't.resolved_at', window).select(
        knex.raw(`count(*) as resolved,
          percentile_cont(0.5) within group (order by t.resolution_seconds) / 3600.0 as median_resolution,
          percentile_cont(0.5) within group (order by t.resolution_business_seconds) / 3600.0 as median_resolution_business,
          count(*) filter (where t.resolution_breached_at is null) as met,
          avg(t.satisfaction_score) as mean_score`),
      ),
    ),
    await em.execute<Row[]>(
      inPeriod(tickets(), 't.first_responded_at', window).select(
        knex.raw('percentile_cont(0.5) within group (order by t.first_response_seconds) / 3600.0 as median_first_response'),
      ),
    ),
  ];
  const [reopened, assigned] = await movesOfAgents(em, window, agentId);
  // One agent's from report_scope_month; of all agents, their open tickets' rows are quicker.
  const openOfAgent = agentId && !narrowsTickets(window, ['assigneeId']) ? await openTicketsOfScope(em, window) : null;
  const open =
    openOfAgent === null
      ? await em.execute<Row[]>(tickets().whereNotIn('t.status', ['RESOLVED', 'CLOSED']).count({ open: '*' }))
      : [{ assignee_id: agentId, open: String(openOfAgent) }];

  const [r, f, o, op, a] = [byAssignee(resolved), byAssignee(answered), byAssignee(reopened), byAssignee(open), byAssignee(assigned)];
  const agents = await em.find(User, agentId ? { id: agentId } : {}, { orderBy: { name: 'asc', id: 'asc' } });
  return agents
    .map((agent) => {
      const res = r.get(agent.id);
      const resolvedCount = Number(res?.resolved ?? 0);
      return {
        agent,
        assigned: Number(a.get(agent.id)?.assigned ?? 0),
        resolved: resolvedCount,
        reopened: Number(o.get(agent.id)?.reopened ?? 0),
        medianResolutionHours: num(res?.median_resolution),
        medianResolutionBusinessHours: num(res?.median_resolution_business),
        medianFirstResponseHours: num(f.get(agent.id)?.median_first_response),
        slaComplianceRate: ratio(Number(res?.met ?? 0), resolvedCount),
        meanSatisfaction: num(res?.mean_score),
        openTickets: Number(op.get(agent.id)?.open ?? 0),
      };
    })
    .sort((a, b) => b.resolved - a.resolved || b.openTickets - a.openTickets);
}
