/**
 * Whether the `limit` most frequent titles among candidates (the `size` titles of the largest totals,
 * of which `taken` exist, the smallest total `smallest`) are the most frequent of all titles, given
 * the candidates' counts in the period (`counts`, the top, most frequent first): yes when every title
 * was a candidate, or when the top is full and any title left out (at most `smallest` tickets in the
 * period) falls short of its last, even on a tie (ties go by title key, which a title left out may win).
 */
export function topIsComplete(candidates: { size: number; taken: number; smallest: number }, counts: number[], limit: number): boolean {
  if (candidates.taken < candidates.size) return true;
  return counts.length === limit && candidates.smallest < counts[limit - 1];
}
