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
import { reportWindow, type ReportWindow } from './report-window';
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
    return this.read((em) => ticketVolume(em, window, distinctDimensions(groupBy), interval ?? null));
  }

  resolutionTimes(window: ReportWindow, groupBy: ReportDimension[] | null | undefined) {
    return this.read((em) => resolutionTimes(em, window, distinctDimensions(groupBy)));
  }

  slaCompliance(window: ReportWindow, groupBy: ReportDimension[] | null | undefined) {
    return this.read((em) => slaCompliance(em, window, distinctDimensions(groupBy)));
  }

  satisfaction(window: ReportWindow, groupBy: ReportDimension[] | null | undefined) {
    return this.read((em) => satisfaction(em, window, distinctDimensions(groupBy)));
  }

  agentPerformance(window: ReportWindow) {
    return this.read((em) => agentPerformance(em, window));
  }

  recurringIssues(window: ReportWindow, minOccurrences: number, wanted: WantedExamples) {
    if (!Number.isInteger(minOccurrences) || minOccurrences < 2 || minOccurrences > MAX_MIN_OCCURRENCES) {
      throw badInput('minOccurrences must be a whole number of at least 2.', 'minOccurrences');
    }
    return this.read((em) => recurringIssues(em, window, minOccurrences, wanted));
  }

  /**
   * One report's statements in one read-only transaction at REPEATABLE READ (one snapshot, so its
   * figures agree, and a roll-up and the rows it is completed from are of the same moment), with
   * settings for large aggregates: no JIT (compiling costs more than it saves on these plans) and room
   * to sort durations for percentiles without spilling to disk. Parallel workers start at the
   * planner's own costs: a report reads mostly a few hundred roll-up rows, whose ranges the planner
   * takes for large ones in an index of millions, and starting workers for them cost far more than the
   * read (501 rows: 180 ms against about 1 ms, on a busy machine).
   */
  private read<T>(report: (em: EntityManager) => Promise<T>): Promise<T> {
    const settings = [`set_config('jit', 'off', true)`, `set_config('work_mem', '64MB', true)`];
    return this.em.fork().transactional(
      async (em) => {
        await em.execute(`select ${settings.join(', ')}`);
        return report(em);
      },
      { readOnly: true, isolationLevel: IsolationLevel.REPEATABLE_READ },
    );
  }
}
