/** Timeline entries `e` that reports count, as SQL. CLOSED only ever follows RESOLVED, so these are all the ways in and out of "done". */

/** Moves into and out of RESOLVED. */
export const RESOLVED_MOVE = `e.type = 'STATUS_CHANGED' and (e.to_status = 'RESOLVED' or e.from_status = 'RESOLVED')`;

/** Of those, the reopens: RESOLVED back to work (RESOLVED to CLOSED stays done). */
export const REOPEN = `e.from_status = 'RESOLVED' and e.to_status not in ('RESOLVED', 'CLOSED')`;
