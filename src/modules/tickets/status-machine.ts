import { TicketStatus } from './ticket.enums';

/** Who asks for a move: staff (or an integration with TICKETS_WRITE) or the ticket's customer. */
export type Mover = 'staff' | 'customer';

const { UNASSIGNED, OPEN, IN_PROGRESS, WAITING_ON_CUSTOMER, WAITING_ON_THIRD_PARTY, RESOLVED, CLOSED } = TicketStatus;

/**
 * The status table of API.md. UNASSIGNED → OPEN is absent on purpose: it happens only by linking a
 * business (`linkTicketToBusiness`), never by a status change. A CLOSED ticket is final.
 */
const MOVES: Record<TicketStatus, Partial<Record<TicketStatus, readonly Mover[]>>> = {
  [UNASSIGNED]: {},
  [OPEN]: { [IN_PROGRESS]: ['staff'] },
  [IN_PROGRESS]: { [WAITING_ON_CUSTOMER]: ['staff'], [WAITING_ON_THIRD_PARTY]: ['staff'], [RESOLVED]: ['staff'] },
  [WAITING_ON_CUSTOMER]: { [IN_PROGRESS]: ['staff'] },
  [WAITING_ON_THIRD_PARTY]: { [IN_PROGRESS]: ['staff'] },
  [RESOLVED]: { [CLOSED]: ['staff', 'customer'], [IN_PROGRESS]: ['staff', 'customer'] },
  [CLOSED]: {},
};

/** The statuses `mover` may move a ticket to from `from`, in the order of the enum. */
export function allowedTransitions(from: TicketStatus, mover: Mover): TicketStatus[] {
  const targets = MOVES[from];
  return Object.values(TicketStatus).filter((to) => targets[to]?.includes(mover));
}

export function canTransition(from: TicketStatus, to: TicketStatus, mover: Mover): boolean {
  return MOVES[from][to]?.includes(mover) ?? false;
}

/** What a move needs said: a reason for waiting or reopening, resolution notes for resolving. */
export function requiredExplanation(from: TicketStatus, to: TicketStatus): 'reason' | 'resolutionNotes' | null {
  if (to === RESOLVED) return 'resolutionNotes';
  if (to === WAITING_ON_CUSTOMER || to === WAITING_ON_THIRD_PARTY) return 'reason';
  if (from === RESOLVED && to === IN_PROGRESS) return 'reason';
  return null;
}
