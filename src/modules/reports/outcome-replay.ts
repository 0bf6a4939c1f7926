import { clocksAtCreation, markClock, onStatusChange, settleFirstResponse, settleOutcome, type OutcomeState, type SlaTargets } from '../sla/sla-clock';
import { TicketEventType } from '../tickets/ticket-event.entity';
import { TicketPriority, TicketStatus } from '../tickets/ticket.enums';

/** The timeline entries that move a ticket's clocks, oldest first. */
export interface ClockEntry {
  type: string;
  at: Date;
  fromStatus: string | null;
  toStatus: string | null;
  isInternal: boolean;
  /** The entry was made by a staff member. */
  byStaff: boolean;
  details: Record<string, unknown>;
}

/** The figures reports read, as the ticket row holds them. */
export type OutcomeFigures = Pick<
  OutcomeState,
  | 'firstRespondedAt'
  | 'firstResponseSeconds'
  | 'firstResponseBusinessSeconds'
  | 'resolutionSeconds'
  | 'resolutionBusinessSeconds'
  | 'reopenCount'
  | 'slaPausedSeconds'
  | 'slaPausedWallSeconds'
  | 'slaClockSeconds'
  | 'slaClockMark'
>;

const isPriority = (value: unknown): value is TicketPriority => Object.values(TicketPriority).includes(value as TicketPriority);

/**
 * Replays a ticket's timeline through the same clock functions the workflow runs as it goes: what
 * the ticket row holds must equal this (see `rebuildOutcomes`). Priorities follow the PRIORITY_CHANGED
 * entries; the targets are today's, so a policy edited since is the one difference allowed.
 */
export function replayOutcome(
  ticket: { createdAt: Date; priority: TicketPriority },
  entries: readonly ClockEntry[],
  targetsOf: (priority: TicketPriority) => SlaTargets,
): OutcomeFigures {
  const firstPriorityChange = entries.find((entry) => entry.type === TicketEventType.PRIORITY_CHANGED);
  let priority = isPriority(firstPriorityChange?.details.from) ? firstPriorityChange.details.from : ticket.priority;
  const created = entries.find((entry) => entry.type === TicketEventType.CREATED);
  const state = clocksAtCreation(ticket.createdAt, (created?.toStatus as TicketStatus | null) ?? TicketStatus.UNASSIGNED);
  for (const entry of entries) {
    if (entry.type === TicketEventType.PRIORITY_CHANGED && isPriority(entry.details.to)) {
      markClock(state, targetsOf(priority).calendar, entry.at);
      priority = entry.details.to;
    }
    const to = entry.toStatus as TicketStatus | null;
    if ((entry.type === TicketEventType.STATUS_CHANGED || entry.type === TicketEventType.AUTO_CLOSED) && to) {
      const targets = targetsOf(priority);
      settleOutcome(state, to, entry.at, targets.calendar);
      onStatusChange(state, to, targets, entry.at);
      state.status = to;
    }
    if (entry.type === TicketEventType.COMMENTED && entry.byStaff && !entry.isInternal && !state.firstRespondedAt) {
      settleFirstResponse(state, entry.at, targetsOf(priority).calendar);
      state.firstRespondedAt = entry.at;
    }
  }
  const { firstRespondedAt, firstResponseSeconds, firstResponseBusinessSeconds, resolutionSeconds, resolutionBusinessSeconds, reopenCount } = state;
  const { slaPausedSeconds, slaPausedWallSeconds, slaClockSeconds, slaClockMark } = state;
  return {
    firstRespondedAt,
    firstResponseSeconds,
    firstResponseBusinessSeconds,
    resolutionSeconds,
    resolutionBusinessSeconds,
    reopenCount,
    slaPausedSeconds,
    slaPausedWallSeconds,
    slaClockSeconds,
    slaClockMark,
  };
}
