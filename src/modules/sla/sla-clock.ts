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
  slaPausedWallSeconds: number;
  slaClockSeconds: number;
  slaClockMark: Date | null;
  firstResponseBreachedAt: Date | null;
  resolutionBreachedAt: Date | null;
}

/** The outcome figures reports read, settled as the timeline goes (see `settleOutcome`). */
export interface OutcomeState extends SlaState {
  reopenCount: number;
  firstResponseSeconds: number | null;
  firstResponseBusinessSeconds: number | null;
  resolutionSeconds: number | null;
  resolutionBusinessSeconds: number | null;
}

const FINISHED = [TicketStatus.RESOLVED, TicketStatus.CLOSED];

/** A ticket's clocks and outcome figures as they stand at creation, before any change. */
export function clocksAtCreation(createdAt: Date, status: TicketStatus): OutcomeState {
  return {
    createdAt,
    status,
    dueAt: null,
    dueAtManual: false,
    firstResponseDueAt: null,
    firstRespondedAt: null,
    slaPausedSince: null,
    slaPausedSeconds: 0,
    slaPausedWallSeconds: 0,
    slaClockSeconds: 0,
    slaClockMark: null,
    firstResponseBreachedAt: null,
    resolutionBreachedAt: null,
    reopenCount: 0,
    firstResponseSeconds: null,
    firstResponseBusinessSeconds: null,
    resolutionSeconds: null,
    resolutionBusinessSeconds: null,
  };
}

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
  if (pausing && !state.slaPausedSince) {
    markClock(state, targets.calendar, now);
    state.slaPausedSince = now;
  }
  if (!pausing && state.slaPausedSince) {
    state.slaClockMark = now;
    const since = state.slaPausedSince;
    state.slaPausedSeconds += businessSecondsBetween(since, now, targets.calendar);
    state.slaPausedWallSeconds += wallSecondsBetween(since, now);
    state.slaPausedSince = null;
    if (state.dueAtManual && state.dueAt) state.dueAt = new Date(state.dueAt.getTime() + (now.getTime() - since.getTime()));
    computeDueDates(state, targets);
  }
}

function wallSecondsBetween(from: Date, to: Date): number {
  return Math.round((to.getTime() - from.getTime()) / 1000);
}

/**
 * Closes the clock's current stretch at `now` on `calendar` (the one in force until now): before a
 * pause, and before a priority change moves the ticket to another policy's calendar.
 */
export function markClock(state: SlaState, calendar: BusinessCalendar, now: Date): void {
  if (state.slaPausedSince) return;
  state.slaClockSeconds += businessSecondsBetween(state.slaClockMark ?? state.createdAt, now, calendar);
  state.slaClockMark = now;
}

/**
 * Time on the clocks from creation to `at`, less every pause (the one under way included):
 * wall-clock seconds, and seconds on the calendar of the policy in force at each stretch.
 */
export function runningSeconds(state: SlaState, at: Date, calendar: BusinessCalendar): { wall: number; business: number } {
  const since = state.slaPausedSince;
  const pausedWall = state.slaPausedWallSeconds + (since ? wallSecondsBetween(since, at) : 0);
  const running = since ? 0 : businessSecondsBetween(state.slaClockMark ?? state.createdAt, at, calendar);
  return { wall: Math.max(0, wallSecondsBetween(state.createdAt, at) - pausedWall), business: state.slaClockSeconds + running };
}

/** The first external reply by staff, at `at`: how long the customer waited for it. */
export function settleFirstResponse(state: OutcomeState, at: Date, calendar: BusinessCalendar): void {
  const { wall, business } = runningSeconds(state, at, calendar);
  state.firstResponseSeconds = wall;
  state.firstResponseBusinessSeconds = business;
}

/**
 * The outcome side of a status move at `now`, called before the clocks pause or resume: resolving
 * settles the time to resolution; going back to work from RESOLVED counts a reopen and unsettles it
 * (the next resolution settles it again, its paused time excluded).
 */
export function settleOutcome(state: OutcomeState, to: TicketStatus, now: Date, calendar: BusinessCalendar): void {
  if (to === TicketStatus.RESOLVED && state.status !== TicketStatus.RESOLVED) {
    const { wall, business } = runningSeconds(state, now, calendar);
    state.resolutionSeconds = wall;
    state.resolutionBusinessSeconds = business;
  }
  if (FINISHED.includes(state.status) && !FINISHED.includes(to)) {
    state.reopenCount += 1;
    state.resolutionSeconds = null;
    state.resolutionBusinessSeconds = null;
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
