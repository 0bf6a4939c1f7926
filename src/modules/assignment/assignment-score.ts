import { Availability } from '../users/user.enums';

/** An agent as automatic assignment sees it. Expertise and ticket tags are lower-case tag names. */
export interface Candidate {
  id: string;
  name: string;
  capacity: number;
  availability: Availability;
  openTickets: number;
  lastAssignedAt: Date | null;
  expertise: string[];
  isAccountManager: boolean;
}

/** Each part is 0 to 1 before weighting. */
export interface ScoreParts {
  accountManager: number;
  expertise: number;
  workload: number;
  recency: number;
}

export interface Suggestion {
  candidate: Candidate;
  score: number;
  parts: ScoreParts;
  reason: string;
}

/**
 * The account manager outweighs everything else together (1 > 0.3 + 0.2 + 0.1): the customer's own
 * contact takes its tickets while available and under capacity. Then expertise, then spare capacity,
 * then time since the last assignment.
 */
export const WEIGHTS: ScoreParts = { accountManager: 1, expertise: 0.3, workload: 0.2, recency: 0.1 };

/** An hour without a new ticket counts as fully rested. */
const RECENCY_HORIZON_MS = 3_600_000;

/** Why an agent cannot take a ticket now, or null when it can. */
export function unavailableBecause(candidate: Candidate): string | null {
  if (candidate.availability === Availability.AWAY) return `${candidate.name} is away`;
  if (candidate.openTickets >= candidate.capacity) return `${candidate.name} is at capacity (${candidate.openTickets} of ${candidate.capacity})`;
  return null;
}

function partsFor(candidate: Candidate, ticketTags: readonly string[], now: Date): ScoreParts {
  const known = ticketTags.filter((tag) => candidate.expertise.includes(tag));
  const sinceLast = candidate.lastAssignedAt ? now.getTime() - candidate.lastAssignedAt.getTime() : RECENCY_HORIZON_MS;
  return {
    accountManager: candidate.isAccountManager ? 1 : 0,
    expertise: ticketTags.length === 0 ? 0 : known.length / ticketTags.length,
    workload: candidate.capacity === 0 ? 0 : 1 - candidate.openTickets / candidate.capacity,
    recency: Math.min(1, Math.max(0, sinceLast) / RECENCY_HORIZON_MS),
  };
}

function describe(candidate: Candidate, parts: ScoreParts, ticketTags: readonly string[], now: Date): string {
  const said: string[] = [];
  if (parts.accountManager) said.push('account manager of this business');
  const known = ticketTags.filter((tag) => candidate.expertise.includes(tag));
  if (known.length) said.push(`knows ${known.join(', ')} (${known.length} of ${ticketTags.length} tags)`);
  said.push(`${candidate.openTickets} of ${candidate.capacity} open tickets`);
  if (!candidate.lastAssignedAt) said.push('no ticket assigned yet');
  else said.push(`last assigned ${Math.round((now.getTime() - candidate.lastAssignedAt.getTime()) / 60_000)} min ago`);
  return `${candidate.name}: ${said.join('; ')}`;
}

/**
 * The agents who can take the ticket, best first. Equal scores go to whoever was assigned least
 * recently (never assigned first), then by id: a round robin, so equal agents share the load evenly.
 */
export function rankCandidates(candidates: readonly Candidate[], ticketTags: readonly string[], now: Date): Suggestion[] {
  return candidates
    .filter((candidate) => unavailableBecause(candidate) === null)
    .map((candidate) => {
      const parts = partsFor(candidate, ticketTags, now);
      const score = (Object.keys(WEIGHTS) as (keyof ScoreParts)[]).reduce((sum, key) => sum + WEIGHTS[key] * parts[key], 0);
      return { candidate, parts, score: Math.round(score * 10_000) / 10_000, reason: describe(candidate, parts, ticketTags, now) };
    })
    .sort(
      (a, b) =>
        b.score - a.score ||
        (a.candidate.lastAssignedAt?.getTime() ?? 0) - (b.candidate.lastAssignedAt?.getTime() ?? 0) ||
        a.candidate.id.localeCompare(b.candidate.id),
    );
}
