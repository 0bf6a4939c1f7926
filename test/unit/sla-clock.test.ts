import { ALWAYS_OPEN, type BusinessCalendar } from '../../src/modules/sla/business-clock';
import {
  clocksAtCreation,
  computeDueDates,
  newBreaches,
  onStatusChange,
  pausesIn,
  markClock,
  settleFirstResponse,
  settleOutcome,
  viewClocks,
  type OutcomeState,
  type SlaState,
  type SlaTargets,
} from '../../src/modules/sla/sla-clock';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';

const S = TicketStatus;
const at = (iso: string) => new Date(iso);
const HOUR = 3600;

/** Mon–Fri 09:00–17:00 in Berlin. */
const BERLIN: BusinessCalendar = { timeZone: 'Europe/Berlin', workingDays: [1, 2, 3, 4, 5], opensAt: '09:00', closesAt: '17:00', alwaysOpen: false };

const urgent: SlaTargets = { firstResponseSeconds: 1 * HOUR, resolutionSeconds: 4 * HOUR, calendar: ALWAYS_OPEN, pauseOnThirdParty: false };
const businessDay: SlaTargets = { firstResponseSeconds: 4 * HOUR, resolutionSeconds: 8 * HOUR, calendar: BERLIN, pauseOnThirdParty: true };

function ticket(createdAt: string, overrides: Partial<SlaState> = {}): SlaState {
  return { ...clocksAtCreation(at(createdAt), S.OPEN), ...overrides };
}

/** What the workflow does on a move: the clocks first, then the status. */
function move(state: SlaState, to: TicketStatus, targets: SlaTargets, now: string) {
  onStatusChange(state, to, targets, at(now));
  state.status = to;
}

describe('due dates', () => {
  it('on a 24/7 policy are creation plus the targets', () => {
    const state = ticket('2026-03-06T22:00:00Z');
    computeDueDates(state, urgent);
    expect(state.firstResponseDueAt).toEqual(at('2026-03-06T23:00:00Z'));
    expect(state.dueAt).toEqual(at('2026-03-07T02:00:00Z'));
  });

  it('on business hours skip the night and the weekend (Friday 15:00 Berlin + 8 h = Monday 15:00)', () => {
    const state = ticket('2026-03-06T14:00:00Z'); // Friday 15:00 CET
    computeDueDates(state, businessDay);
    expect(state.firstResponseDueAt).toEqual(at('2026-03-09T10:00:00Z')); // Monday 11:00 CET
    expect(state.dueAt).toEqual(at('2026-03-09T14:00:00Z')); // Monday 15:00 CET
  });

  it('across the spring DST change count local hours (Friday 27 March 15:00 CET + 8 h = Monday 30 March 15:00 CEST)', () => {
    const state = ticket('2026-03-27T14:00:00Z');
    computeDueDates(state, businessDay);
    expect(state.dueAt).toEqual(at('2026-03-30T13:00:00Z'));
  });

  it('keep a due date set by hand', () => {
    const state = ticket('2026-03-06T22:00:00Z', { dueAt: at('2026-04-01T00:00:00Z'), dueAtManual: true });
    computeDueDates(state, urgent);
    expect(state.dueAt).toEqual(at('2026-04-01T00:00:00Z'));
    expect(state.firstResponseDueAt).toEqual(at('2026-03-06T23:00:00Z'));
  });

  it('leave the first-response due date alone once answered', () => {
    const state = ticket('2026-03-06T22:00:00Z', { firstRespondedAt: at('2026-03-06T22:30:00Z'), firstResponseDueAt: at('2026-03-06T23:00:00Z') });
    computeDueDates(state, { ...urgent, firstResponseSeconds: 10 * HOUR });
    expect(state.firstResponseDueAt).toEqual(at('2026-03-06T23:00:00Z'));
  });
});

describe('pause and resume', () => {
  it('pause while waiting on the customer and move the due dates by the pause on resume', () => {
    const state = ticket('2026-03-06T10:00:00Z');
    computeDueDates(state, urgent); // due 14:00
    move(state, S.IN_PROGRESS, urgent, '2026-03-06T10:30:00Z');
    move(state, S.WAITING_ON_CUSTOMER, urgent, '2026-03-06T11:00:00Z');
    expect(state.slaPausedSince).toEqual(at('2026-03-06T11:00:00Z'));

    const waiting = viewClocks(state, urgent, at('2026-03-06T16:00:00Z'));
    expect(waiting.remainingSeconds).toBe(3 * HOUR); // frozen at the pause
    expect(waiting.pausedSeconds).toBe(5 * HOUR);
    expect(waiting.resolutionDueAt).toEqual(at('2026-03-06T19:00:00Z')); // projected: now + 3 h
    expect(waiting.breached).toBe(false);
    expect(newBreaches(state, at('2026-03-06T16:00:00Z'))).toEqual([]);

    move(state, S.IN_PROGRESS, urgent, '2026-03-06T16:00:00Z');
    expect(state.slaPausedSince).toBeNull();
    expect(state.slaPausedSeconds).toBe(5 * HOUR);
    expect(state.dueAt).toEqual(at('2026-03-06T19:00:00Z'));
    expect(state.firstResponseDueAt).toEqual(at('2026-03-06T16:00:00Z'));
  });

  it('count a pause on business hours only for its working part (a pause over the weekend costs Friday afternoon)', () => {
    const state = ticket('2026-03-05T08:00:00Z'); // Thursday 09:00 CET: due Thursday 17:00
    computeDueDates(state, businessDay);
    expect(state.dueAt).toEqual(at('2026-03-05T16:00:00Z'));
    move(state, S.IN_PROGRESS, businessDay, '2026-03-05T09:00:00Z');
    move(state, S.WAITING_ON_CUSTOMER, businessDay, '2026-03-06T14:00:00Z'); // Friday 15:00
    move(state, S.IN_PROGRESS, businessDay, '2026-03-09T08:00:00Z'); // Monday 09:00
    expect(state.slaPausedSeconds).toBe(2 * HOUR); // Friday 15:00–17:00
    // Thursday 09:00 + 10 business hours: Thursday's 8, then Friday 09:00–11:00 CET.
    expect(state.dueAt).toEqual(at('2026-03-06T10:00:00Z'));
  });

  it('pause on WAITING_ON_THIRD_PARTY only when the policy says so', () => {
    expect(pausesIn(S.WAITING_ON_THIRD_PARTY, urgent)).toBe(false);
    expect(pausesIn(S.WAITING_ON_THIRD_PARTY, businessDay)).toBe(true);
    expect(pausesIn(S.WAITING_ON_CUSTOMER, urgent)).toBe(true);
    expect(pausesIn(S.IN_PROGRESS, urgent)).toBe(false);
    expect(pausesIn(S.RESOLVED, urgent)).toBe(true);
  });

  it('do not charge a reopened ticket for the time it sat resolved', () => {
    const state = ticket('2026-03-06T10:00:00Z');
    computeDueDates(state, urgent);
    move(state, S.IN_PROGRESS, urgent, '2026-03-06T10:00:00Z');
    move(state, S.RESOLVED, urgent, '2026-03-06T12:00:00Z');
    move(state, S.IN_PROGRESS, urgent, '2026-03-08T12:00:00Z');
    expect(state.slaPausedSeconds).toBe(48 * HOUR);
    expect(state.dueAt).toEqual(at('2026-03-08T14:00:00Z'));
  });

  it('move a hand-set due date by the wall-clock length of the pause', () => {
    const state = ticket('2026-03-06T10:00:00Z', { dueAt: at('2026-03-10T10:00:00Z'), dueAtManual: true });
    computeDueDates(state, businessDay);
    move(state, S.IN_PROGRESS, businessDay, '2026-03-06T10:00:00Z');
    move(state, S.WAITING_ON_CUSTOMER, businessDay, '2026-03-06T12:00:00Z');
    move(state, S.IN_PROGRESS, businessDay, '2026-03-07T12:00:00Z');
    expect(state.dueAt).toEqual(at('2026-03-11T10:00:00Z'));
  });

  it('keep a pause running across the autumn DST change on a 24/7 clock in real hours', () => {
    const state = ticket('2026-10-24T20:00:00Z');
    computeDueDates(state, urgent);
    move(state, S.IN_PROGRESS, urgent, '2026-10-24T20:00:00Z');
    move(state, S.WAITING_ON_CUSTOMER, urgent, '2026-10-24T22:00:00Z'); // Berlin 00:00 CEST
    move(state, S.IN_PROGRESS, urgent, '2026-10-25T04:00:00Z'); // Berlin 05:00 CET: 6 real hours
    expect(state.slaPausedSeconds).toBe(6 * HOUR);
  });
});

describe('remaining time and breaches', () => {
  it('count down, then below zero, on the policy clock', () => {
    const state = ticket('2026-03-06T10:00:00Z');
    computeDueDates(state, urgent);
    expect(viewClocks(state, urgent, at('2026-03-06T13:00:00Z')).remainingSeconds).toBe(1 * HOUR);
    const late = viewClocks(state, urgent, at('2026-03-06T15:30:00Z'));
    expect(late.remainingSeconds).toBe(-1.5 * HOUR);
    expect(late.breached).toBe(true);
  });

  it('name the clocks that ran out and are not yet recorded', () => {
    const state = ticket('2026-03-06T10:00:00Z');
    computeDueDates(state, urgent);
    expect(newBreaches(state, at('2026-03-06T10:59:00Z'))).toEqual([]);
    expect(newBreaches(state, at('2026-03-06T11:01:00Z'))).toEqual(['FIRST_RESPONSE']);
    expect(newBreaches(state, at('2026-03-06T14:01:00Z'))).toEqual(['FIRST_RESPONSE', 'RESOLUTION']);
    state.firstResponseBreachedAt = at('2026-03-06T11:01:00Z');
    expect(newBreaches(state, at('2026-03-06T14:01:00Z'))).toEqual(['RESOLUTION']);
    state.firstRespondedAt = at('2026-03-06T10:30:00Z');
    state.firstResponseBreachedAt = null;
    expect(newBreaches(state, at('2026-03-06T14:01:00Z'))).toEqual(['RESOLUTION']);
  });

  it('show the clock as it stood at resolution for a resolved ticket', () => {
    const state = ticket('2026-03-06T10:00:00Z');
    computeDueDates(state, urgent);
    move(state, S.IN_PROGRESS, urgent, '2026-03-06T10:00:00Z');
    move(state, S.RESOLVED, urgent, '2026-03-06T13:00:00Z');
    const view = viewClocks(state, urgent, at('2026-03-20T00:00:00Z'));
    expect(view.remainingSeconds).toBe(1 * HOUR);
    expect(view.resolutionDueAt).toEqual(at('2026-03-06T14:00:00Z'));
    expect(view.breached).toBe(false);
  });
});

describe('outcome figures (what reports read)', () => {
  const outcome = (createdAt: string): OutcomeState => clocksAtCreation(at(createdAt), S.OPEN);
  /** What the workflow does on a move: outcome, then clocks, then the status. */
  function step(state: OutcomeState, to: TicketStatus, targets: SlaTargets, now: string) {
    settleOutcome(state, to, at(now), targets.calendar);
    move(state, to, targets, now);
  }

  it('exclude every pause, wall-clock and on business hours, and count reopens (hand-computed)', () => {
    // Created Monday 2 March 2026 10:00 Berlin (09:00Z); business hours Mon–Fri 09–17 Berlin.
    const state = outcome('2026-03-02T09:00:00Z');
    step(state, S.IN_PROGRESS, businessDay, '2026-03-02T09:30:00Z');
    // First reply Monday 12:00 Berlin: 2 h wall, 2 business hours.
    settleFirstResponse(state, at('2026-03-02T11:00:00Z'), BERLIN);
    expect([state.firstResponseSeconds, state.firstResponseBusinessSeconds]).toEqual([2 * HOUR, 2 * HOUR]);
    // Waiting on the customer Monday 16:00 → Tuesday 10:00 Berlin: 18 h wall, 2 business hours paused.
    step(state, S.WAITING_ON_CUSTOMER, businessDay, '2026-03-02T15:00:00Z');
    step(state, S.IN_PROGRESS, businessDay, '2026-03-03T09:00:00Z');
    // Resolved Tuesday 11:00 Berlin: 25 h wall − 18 h = 7 h; business 7 h (Mon 10–17) + 2 h (Tue 9–11) − 2 h = 7 h.
    step(state, S.RESOLVED, businessDay, '2026-03-03T10:00:00Z');
    expect([state.resolutionSeconds, state.resolutionBusinessSeconds, state.reopenCount]).toEqual([7 * HOUR, 7 * HOUR, 0]);
    // Reopened Wednesday 09:00 Berlin: the figures are unsettled and the reopen counted.
    step(state, S.IN_PROGRESS, businessDay, '2026-03-04T08:00:00Z');
    expect([state.resolutionSeconds, state.resolutionBusinessSeconds, state.reopenCount]).toEqual([null, null, 1]);
    // Resolved again Wednesday 10:00 Berlin: the 22 h it sat resolved (Tue 11:00 → Wed 09:00) do not count.
    // Wall: 48 h since creation − 18 h − 22 h = 8 h. Business: Mon 7 + Tue 8 + Wed 1 = 16 h − 2 h − 6 h (Tue 11–17) = 8 h.
    step(state, S.RESOLVED, businessDay, '2026-03-04T09:00:00Z');
    expect([state.resolutionSeconds, state.resolutionBusinessSeconds, state.reopenCount]).toEqual([8 * HOUR, 8 * HOUR, 1]);
    // Closing changes nothing.
    step(state, S.CLOSED, businessDay, '2026-03-11T09:00:00Z');
    expect([state.resolutionSeconds, state.resolutionBusinessSeconds, state.reopenCount]).toEqual([8 * HOUR, 8 * HOUR, 1]);
  });

  it('count each stretch on the calendar of the policy in force (24/7, then business hours after a priority change)', () => {
    // Created Monday 09:00 Berlin on a 24/7 policy; at 21:00 it moves to a business-hours policy; resolved Tuesday 11:00.
    const state = outcome('2026-03-02T08:00:00Z');
    step(state, S.IN_PROGRESS, urgent, '2026-03-02T08:30:00Z');
    markClock(state, ALWAYS_OPEN, at('2026-03-02T20:00:00Z'));
    step(state, S.RESOLVED, businessDay, '2026-03-03T10:00:00Z');
    // Wall: 26 h. Business: 12 h on the 24/7 clock + Tuesday 09:00–11:00 on the Berlin calendar = 14 h.
    expect([state.resolutionSeconds, state.resolutionBusinessSeconds]).toEqual([26 * HOUR, 14 * HOUR]);
  });

  it('count a pause still under way at resolution (waiting on a third party straight to resolved is not possible, so: a reply while paused)', () => {
    // 24/7: created 00:00, waiting on the customer from 01:00, first staff reply at 03:00 while still paused.
    const state = outcome('2026-03-02T00:00:00Z');
    step(state, S.IN_PROGRESS, urgent, '2026-03-02T00:10:00Z');
    step(state, S.WAITING_ON_CUSTOMER, urgent, '2026-03-02T01:00:00Z');
    settleFirstResponse(state, at('2026-03-02T03:00:00Z'), ALWAYS_OPEN);
    expect([state.firstResponseSeconds, state.firstResponseBusinessSeconds]).toEqual([HOUR, HOUR]);
  });
});
