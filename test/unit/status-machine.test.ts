import { allowedTransitions, canTransition, requiredExplanation, type Mover } from '../../src/modules/tickets/status-machine';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';

const S = TicketStatus;
const statuses = Object.values(TicketStatus);

/** The table of API.md, written out independently of the module under test. */
const expected: Record<Mover, [TicketStatus, TicketStatus][]> = {
  staff: [
    [S.OPEN, S.IN_PROGRESS],
    [S.IN_PROGRESS, S.WAITING_ON_CUSTOMER],
    [S.IN_PROGRESS, S.WAITING_ON_THIRD_PARTY],
    [S.IN_PROGRESS, S.RESOLVED],
    [S.WAITING_ON_CUSTOMER, S.IN_PROGRESS],
    [S.WAITING_ON_THIRD_PARTY, S.IN_PROGRESS],
    [S.RESOLVED, S.CLOSED],
    [S.RESOLVED, S.IN_PROGRESS],
  ],
  customer: [
    [S.RESOLVED, S.CLOSED],
    [S.RESOLVED, S.IN_PROGRESS],
  ],
};

const pairs = statuses.flatMap((from) => statuses.map((to) => [from, to] as const));

describe.each(['staff', 'customer'] as const)('status machine for %s', (mover) => {
  it.each(pairs)('%s -> %s', (from, to) => {
    const allowed = expected[mover].some(([f, t]) => f === from && t === to);
    expect(canTransition(from, to, mover)).toBe(allowed);
    expect(allowedTransitions(from, mover).includes(to)).toBe(allowed);
  });
});

describe('what a move needs said', () => {
  it('asks a reason to wait or reopen, notes to resolve, nothing otherwise', () => {
    expect(requiredExplanation(S.IN_PROGRESS, S.WAITING_ON_CUSTOMER)).toBe('reason');
    expect(requiredExplanation(S.IN_PROGRESS, S.WAITING_ON_THIRD_PARTY)).toBe('reason');
    expect(requiredExplanation(S.RESOLVED, S.IN_PROGRESS)).toBe('reason');
    expect(requiredExplanation(S.IN_PROGRESS, S.RESOLVED)).toBe('resolutionNotes');
    expect(requiredExplanation(S.OPEN, S.IN_PROGRESS)).toBeNull();
    expect(requiredExplanation(S.WAITING_ON_CUSTOMER, S.IN_PROGRESS)).toBeNull();
    expect(requiredExplanation(S.RESOLVED, S.CLOSED)).toBeNull();
  });

  it('never lets anything leave CLOSED or UNASSIGNED by a status change', () => {
    for (const mover of ['staff', 'customer'] as const) {
      expect(allowedTransitions(S.CLOSED, mover)).toEqual([]);
      expect(allowedTransitions(S.UNASSIGNED, mover)).toEqual([]);
    }
  });
});
