/** A first-response target past due while the clock runs and nothing answered (the same rule as `overdue`). */
const FIRST_RESPONSE_DUE = 't.first_responded_at is null and t.first_response_due_at < now() and t.sla_paused_since is null';
/** A resolution target past due while the clock runs on an unresolved ticket. */
const RESOLUTION_DUE = `t.resolved_at is null and t.due_at < now() and t.sla_paused_since is null and t.status not in ('RESOLVED', 'CLOSED')`;

/**
 * slaCompliance's counts over tickets `t`: met = done in time; breached = a breach was recorded, or the
 * target is past due while the clock runs; pending otherwise.
 */
export const COMPLIANCE = `
  count(*) as tickets,
  count(*) filter (where t.first_responded_at is not null and t.first_response_breached_at is null) as fr_met,
  count(*) filter (where t.first_response_breached_at is not null or (${FIRST_RESPONSE_DUE})) as fr_breached,
  count(*) filter (where t.resolved_at is not null and t.resolution_breached_at is null) as res_met,
  count(*) filter (where t.resolution_breached_at is not null or (${RESOLUTION_DUE})) as res_breached`;

/** The part of COMPLIANCE that depends on the moment: targets that have fallen due with no breach recorded (none met). */
export const COMPLIANCE_DUE_NOW = `
  0 as tickets, 0 as fr_met,
  count(*) filter (where t.first_response_breached_at is null and ${FIRST_RESPONSE_DUE}) as fr_breached,
  0 as res_met,
  count(*) filter (where t.resolution_breached_at is null and ${RESOLUTION_DUE}) as res_breached`;
