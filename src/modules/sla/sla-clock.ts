import { TicketStatus } from '../tickets/ticket.enums';
import { addBusinessSeconds, businessSecondsBetween, type BusinessCalendar } from './business-clock';

/**
 * The SLA clocks of one ticket, as pure functions of its state, its policy and an instant. A paused
 * interval does not count, so every due date is "creation + target + time paused", counted on the
 * policy's clock (business hours or 24/7).
 */

/** A policy resolved against its calendar. */
export interface SlaTargets {
  firstResponseSeconds: number;
  resolutionSeconds: number;
  /** The business-hours calendar, or ALWAYS_OPEN for a 24/7 policy. */
  calendar: BusinessCalendar;
  pauseOnThirdParty: boolean;
}

/** The ticket fields the clocks read and write. */
export interface SlaState {
  createdAt: Date;
  status: TicketStatus;
  dueAt: Date | null;
  dueAtManual: boolean;
  firstResponseDueAt: Date | null;
  firstRespondedAt: Date | null;
  slaPausedSince: Date | null;
  slaPausedSeconds: number;
  firstResponseBreachedAt: Date | null;
  resolutionBreachedAt: Date | null;
}

const FINISHED = [TicketStatus.RESOLVED, TicketStatus.CLOSED];

/**
 * Statuses in which the clocks stand still: waiting on the customer, on a third party if the policy
 * says so, and resolved or closed (so a reopened ticket is not charged for the time it sat resolved).
 */
export function pausesIn(status: TicketStatus, targets: SlaTargets): boolean {
  return (
    status === TicketStatus.WAITING_ON_CUSTOMER ||
    (status === TicketStatus.WAITING_ON_THIRD_PARTY && targets.pauseOnThirdParty) ||
    FINISHED.includes(status)
  );
}

/** Due dates from creation, the targets and the paused time so far. A due date set by hand is kept. */
export function computeDueDates(state: SlaState, targets: SlaTargets): void {
  const { createdAt, slaPausedSeconds: paused } = state;
  if (!state.firstRespondedAt) state.firstResponseDueAt = addBusinessSeconds(createdAt, targets.firstResponseSeconds + paused, targets.calendar);
  if (!state.dueAtManual) state.dueAt = addBusinessSeconds(createdAt, targets.resolutionSeconds + paused, targets.calendar);
}

/**
 * The clocks' side of a status change at `now`: entering a pausing status stops them; leaving one adds
 * the pause to the paused total and moves the due dates by it (a hand-set due date by the wall-clock
 * pause). Record breaches before calling this: a late resolution is judged with the clocks running.
 */
export function onStatusChange(state: SlaState, to: TicketStatus, targets: SlaTargets, now: Date): void {
  const pausing = pausesIn(to, targets);
  if (pausing && !state.slaPausedSince) state.slaPausedSince = now;
  if (!pausing && state.slaPausedSince) {
    const since = state.slaPausedSince;
    state.slaPausedSeconds += businessSecondsBetween(since, now, targets.calendar);
    state.slaPausedSince = null;
    if (state.dueAtManual && state.dueAt) state.dueAt = new Date(state.dueAt.getTime() + (now.getTime() - since.getTime()));
    computeDueDates(state, targets);
  }
}

/** Which clocks have run out at `now` without a breach being recorded yet. */
export function newBreaches(state: SlaState, now: Date): ('FIRST_RESPONSE' | 'RESOLUTION')[] {
  if (state.slaPausedSince) return [];
  const breaches: ('FIRST_RESPONSE' | 'RESOLUTION')[] = [];
  const respondedOrNow = state.firstRespondedAt ?? now;
  if (!state.firstResponseBreachedAt && state.firstResponseDueAt && respondedOrNow > state.firstResponseDueAt) {
    breaches.push('FIRST_RESPONSE');
  }
  if (!state.resolutionBreachedAt && state.dueAt && now > state.dueAt) breaches.push('RESOLUTION');
  return breaches;
}

/** What `Ticket.sla` shows at `now`. While paused, the due dates are projected as if the clocks resumed now. */
export interface SlaView {
  firstResponseDueAt: Date | null;
  firstRespondedAt: Date | null;
  resolutionDueAt: Date | null;
  pausedSince: Date | null;
  pausedSeconds: number;
  remainingSeconds: number | null;
  breached: boolean;
}

export function viewClocks(state: SlaState, targets: SlaTargets, now: Date): SlaView {
  const { calendar } = targets;
  const paused = state.slaPausedSince;
  const finished = FINISHED.includes(state.status);
  const clockNow = paused ?? now;
  const project = (due: Date | null): Date | null => {
    if (!due || !paused || finished) return due;
    if (state.dueAtManual && due === state.dueAt) return new Date(due.getTime() + (now.getTime() - paused.getTime()));
    return addBusinessSeconds(now, businessSecondsBetween(paused, due, calendar), calendar);
  };
  const remaining = (due: Date | null): number | null => {
    if (!due) return null;
    return clockNow <= due ? businessSecondsBetween(clockNow, due, calendar) : -businessSecondsBetween(due, clockNow, calendar);
  };
  return {
    firstResponseDueAt: state.firstRespondedAt ? state.firstResponseDueAt : project(state.firstResponseDueAt),
    firstRespondedAt: state.firstRespondedAt,
    resolutionDueAt: project(state.dueAt),
    pausedSince: paused,
    pausedSeconds: state.slaPausedSeconds + (paused && !finished ? businessSecondsBetween(paused, now, calendar) : 0),
    remainingSeconds: remaining(state.dueAt),
    breached: Boolean(state.firstResponseBreachedAt || state.resolutionBreachedAt) || newBreaches(state, now).length > 0,
  };
}
