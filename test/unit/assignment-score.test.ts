import { rankCandidates, unavailableBecause, type Candidate } from '../../src/modules/assignment/assignment-score';
import { Availability } from '../../src/modules/users/user.enums';

const now = new Date('2026-11-27T12:00:00Z');
const agent = (id: string, overrides: Partial<Candidate> = {}): Candidate => ({
  id,
  name: `Agent ${id}`,
  capacity: 10,
  availability: Availability.AVAILABLE,
  openTickets: 0,
  lastAssignedAt: null,
  expertise: [],
  isAccountManager: false,
  ...overrides,
});

/** A deterministic pseudo-random generator, so the property runs are the same every time. */
function random(seed: number) {
  return () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

describe('ranking agents', () => {
  it('never ranks an agent who is away or at capacity (200 random teams)', () => {
    const next = random(7);
    for (let run = 0; run < 200; run += 1) {
      const team = Array.from({ length: 6 }, (_, i) =>
        agent(`a${i}`, {
          capacity: Math.floor(next() * 5),
          openTickets: Math.floor(next() * 6),
          availability: next() < 0.3 ? Availability.AWAY : Availability.AVAILABLE,
          expertise: next() < 0.5 ? ['vpn'] : [],
          isAccountManager: next() < 0.2,
        }),
      );
      for (const suggestion of rankCandidates(team, ['vpn'], now)) {
        expect(suggestion.candidate.availability).toBe(Availability.AVAILABLE);
        expect(suggestion.candidate.openTickets).toBeLessThan(suggestion.candidate.capacity);
      }
    }
  });

  it('puts an available account manager under capacity first, whatever the others', () => {
    const ranked = rankCandidates(
      [agent('expert', { expertise: ['vpn'] }), agent('manager', { isAccountManager: true, openTickets: 9 })],
      ['vpn'],
      now,
    );
    expect(ranked[0].candidate.id).toBe('manager');
  });

  it('prefers the expert at equal load, and the less loaded among equals', () => {
    expect(rankCandidates([agent('novice'), agent('expert', { expertise: ['vpn'] })], ['vpn'], now)[0].candidate.id).toBe('expert');
    expect(rankCandidates([agent('busy', { openTickets: 5 }), agent('idle', { openTickets: 1 })], [], now)[0].candidate.id).toBe('idle');
  });

  it('gives ties to whoever was assigned least recently (never first), so equal agents take turns', () => {
    const ranked = rankCandidates(
      [
        agent('recent', { lastAssignedAt: new Date(now.getTime() - 1000) }),
        agent('never'),
        agent('earlier', { lastAssignedAt: new Date(now.getTime() - 2000) }),
      ],
      [],
      now,
    );
    expect(ranked.map((s) => s.candidate.id)).toEqual(['never', 'earlier', 'recent']);
  });

  it('says why an agent is out', () => {
    expect(unavailableBecause(agent('x', { availability: Availability.AWAY }))).toBe('Agent x is away');
    expect(unavailableBecause(agent('x', { openTickets: 10 }))).toBe('Agent x is at capacity (10 of 10)');
    expect(unavailableBecause(agent('x'))).toBeNull();
  });
});
