import type { EntityManager } from '@mikro-orm/postgresql';
import { fromGlobalId } from '../../shared/global-id';
import { optionalIdOf } from '../../shared/validation';
import { User } from '../users/user.entity';
import type { AgentPerformanceRow } from './report.payloads';
import { filteredTickets, inPeriod, narrowsTickets, ratio, type ReportWindow } from './report-window';
import { REOPEN, RESOLVED_MOVE } from './timeline-moves';

type Row = Record<string, string | null>;

const byAssignee = (rows: Row[]) => new Map(rows.map((row) => [row.assignee_id, row]));
const num = (value: string | null | undefined) => (value === null || value === undefined ? null : Number(value));

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

  const [resolved, answered, reopened, open, assigned] = [
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
    await em.execute<Row[]>(
      inPeriod(tickets().join('ticket_event as e', 'e.ticket_id', 't.id'), 'e.created_at', window)
        .whereRaw(`${RESOLVED_MOVE} and ${REOPEN}`)
        .count({ reopened: '*' }),
    ),
    await em.execute<Row[]>(tickets().whereNotIn('t.status', ['RESOLVED', 'CLOSED']).count({ open: '*' })),
    // Assignment entries name the new assignee by global id; their tickets are joined only for a filter.
    await em.execute<Row[]>(
      inPeriod(narrowsTickets(window, ['assigneeId']) ? filteredTickets(em, window, ['assigneeId']).join('ticket_event as e', 'e.ticket_id', 't.id') : knex('ticket_event as e'), 'e.created_at', window)
        .where('e.type', 'ASSIGNED')
        .whereRaw(`e.details->>'to' is not null`)
        .select(knex.raw(`e.details->>'to' as assignee`))
        .count({ assigned: '*' })
        .groupByRaw(`e.details->>'to'`),
    ),
  ];

  const assignedBy = new Map(assigned.map((row) => [fromGlobalId(row.assignee ?? '')?.id, Number(row.assigned)]));
  const [r, f, o, op] = [byAssignee(resolved), byAssignee(answered), byAssignee(reopened), byAssignee(open)];
  const agents = await em.find(User, agentId ? { id: agentId } : {}, { orderBy: { name: 'asc', id: 'asc' } });
  return agents
    .map((agent) => {
      const res = r.get(agent.id);
      const resolvedCount = Number(res?.resolved ?? 0);
      return {
        agent,
        assigned: assignedBy.get(agent.id) ?? 0,
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
