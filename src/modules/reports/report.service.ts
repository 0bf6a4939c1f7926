import { IsolationLevel } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../shared/errors';
import { denied } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import type { TicketFilter } from '../tickets/ticket.inputs';
import { agentPerformance } from './agent-performance.query';
import { resolutionTimes, satisfaction, slaCompliance } from './outcome.queries';
import type { ReportDimension, ReportInterval, ReportRangeInput } from './report.inputs';
import { canReadReports } from './report.policy';
import { distinctDimensions } from './report-groups';
import { reportWindow, withinOneScope, type ReportWindow } from './report-window';
import { recurringIssues, type WantedExamples } from './recurring-issues.query';
import { ticketVolume } from './volume.query';

const MAX_MIN_OCCURRENCES = 1_000_000;

/** The reports: who may read them, what they cover; the figures come from the report queries. */
export class ReportService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
  ) {}

  /** Checks access and the period once; the reports below read the window it returns. */
  open(range: ReportRangeInput, filter: TicketFilter | null | undefined): ReportWindow {
    if (!canReadReports(this.actor)) throw denied(this.actor, 'Reports are for staff and API keys with REPORTS_READ.');
    return reportWindow(range, filter);
  }

  ticketVolume(window: ReportWindow, groupBy: ReportDimension[] | null | undefined, interval: ReportInterval | null | undefined) {
    return this.read(window, (em) => ticketVolume(em, window, distinctDimensions(groupBy), interval ?? null));
  }

  resolutionTimes(window: ReportWindow, groupBy: ReportDimension[] | null | undefined) {
    return this.read(window, (em) => resolutionTimes(em, window, distinctDimensions(groupBy)));
  }

  slaCompliance(window: ReportWindow, groupBy: ReportDimension[] | null | undefined) {
    return this.read(window, (em) => slaCompliance(em, window, distinctDimensions(groupBy)));
  }

  satisfaction(window: ReportWindow, groupBy: ReportDimension[] | null | undefined) {
    return this.read(window, (em) => satisfaction(em, window, distinctDimensions(groupBy)));
  }

  agentPerformance(window: ReportWindow) {
    return this.read(window, (em) => agentPerformance(em, window));
  }

  recurringIssues(window: ReportWindow, minOccurrences: number, wanted: WantedExamples) {
    if (!Number.isInteger(minOccurrences) || minOccurrences < 2 || minOccurrences > MAX_MIN_OCCURRENCES) {
      throw badInput('minOccurrences must be a whole number of at least 2.', 'minOccurrences');
    }
    return this.read(window, (em) => recurringIssues(em, window, minOccurrences, wanted));
  }

  /**
   * One report's statements in one read-only transaction at REPEATABLE READ (one snapshot, so its
   * figures agree, and a roll-up and the rows it is completed from are of the same moment), with
   * settings for large aggregates: no JIT (compiling costs more than it saves on these plans) and room
   * to sort durations for percentiles without spilling to disk. Over more than one business's or
   * agent's tickets, workers start more readily for the scans of many rows (a quarter faster over a
   * million entries), but not for the small ranges of roll-up rows, where starting them costs more than
   * the scan (the planner's own size threshold stays); over one business or agent, the planner's
   * defaults stay.
   */
  private read<T>(window: ReportWindow, report: (em: EntityManager) => Promise<T>): Promise<T> {
    const settings = [`set_config('jit', 'off', true)`, `set_config('work_mem', '64MB', true)`];
    if (!withinOneScope(window)) {
      settings.push(`set_config('parallel_setup_cost', '10', true)`, `set_config('parallel_tuple_cost', '0.001', true)`);
    }
    return this.em.fork().transactional(
      async (em) => {
        await em.execute(`select ${settings.join(', ')}`);
        return report(em);
      },
      { readOnly: true, isolationLevel: IsolationLevel.REPEATABLE_READ },
    );
  }
}
