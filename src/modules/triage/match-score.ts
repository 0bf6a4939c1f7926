/** Why a business may be the one an unassigned ticket is about. */
export enum MatchReasonKind {
  CONTACT_EMAIL = 'CONTACT_EMAIL',
  EMAIL_DOMAIN = 'EMAIL_DOMAIN',
  COMPANY_NAME = 'COMPANY_NAME',
}

export interface MatchReason {
  kind: MatchReasonKind;
  detail: string;
  score: number;
}

/** What the database says about one candidate. */
export interface CandidateSignals {
  contactEmail: string | null;
  domain: string | null;
  companyName: string | null;
  /** Trigram similarity of the business name to the submitted company name, 0 to 1. */
  nameSimilarity: number;
  businessName: string;
}

/** How much each kind of evidence is worth on its own. A known contact is near certain. */
const WEIGHT: Record<MatchReasonKind, number> = {
  [MatchReasonKind.CONTACT_EMAIL]: 1,
  [MatchReasonKind.EMAIL_DOMAIN]: 0.9,
  [MatchReasonKind.COMPANY_NAME]: 0.8,
};

/** Names below this similarity are not evidence (pg_trgm's own default threshold). */
const MIN_NAME_SIMILARITY = 0.3;

/** The reasons for one candidate, strongest first. */
export function matchReasons(signals: CandidateSignals): MatchReason[] {
  const reasons: MatchReason[] = [];
  if (signals.contactEmail) {
    reasons.push({ kind: MatchReasonKind.CONTACT_EMAIL, detail: `${signals.contactEmail} is a contact of this business`, score: WEIGHT.CONTACT_EMAIL });
  }
  if (signals.domain) {
    reasons.push({ kind: MatchReasonKind.EMAIL_DOMAIN, detail: `the submitter's email domain is ${signals.domain}`, score: WEIGHT.EMAIL_DOMAIN });
  }
  if (signals.companyName && signals.nameSimilarity >= MIN_NAME_SIMILARITY) {
    const similarity = Math.round(signals.nameSimilarity * 100) / 100;
    reasons.push({
      kind: MatchReasonKind.COMPANY_NAME,
      detail: `"${signals.companyName}" resembles "${signals.businessName}" (similarity ${similarity})`,
      score: Math.round(WEIGHT.COMPANY_NAME * signals.nameSimilarity * 1000) / 1000,
    });
  }
  return reasons.sort((a, b) => b.score - a.score);
}

/**
 * Independent pieces of evidence add up without passing 1: the chance that every reason is wrong is
 * the product of each one being wrong (a "noisy or").
 */
export function combinedScore(reasons: MatchReason[]): number {
  const allWrong = reasons.reduce((product, reason) => product * (1 - reason.score), 1);
  return Math.round((1 - allWrong) * 1000) / 1000;
}
