/** A first-response target past due while the clock runs and nothing answered (the same rule as `overdue`). */
const FIRST_RESPONSE_DUE = 't.first_responded_at is null and t.first_response_due_at < now() and t.sla_paused_since is null';
/** A resolution target past due while the clock runs on an unresolved ticket. */
const RESOLUTION_DUE = `t.resolved_at is null and t.due_at < now() and t.sla_paused_since is null and t.status not in ('RESOLVED', 'CLOSED')`;

/** slaCompliance's measures: the tickets, and the settled outcomes the roll-ups keep of them. */
export const COMPLIANCE_MEASURES = ['created', 'first_response_met', 'first_response_breached', 'resolution_met', 'resolution_breached'];

/**
 * slaCompliance's counts over tickets `t`, named as its measures: met = done in time; breached = a
 * breach was recorded, or the target is past due while the clock runs; pending otherwise.
 */
export const COMPLIANCE = `
  count(*) as created,
  count(*) filter (where t.first_responded_at is not null and t.first_response_breached_at is null) as first_response_met,
  count(*) filter (where t.first_response_breached_at is not null or (${FIRST_RESPONSE_DUE})) as first_response_breached,
  count(*) filter (where t.resolved_at is not null and t.resolution_breached_at is null) as resolution_met,
  count(*) filter (where t.resolution_breached_at is not null or (${RESOLUTION_DUE})) as resolution_breached`;

/** The part of COMPLIANCE that depends on the moment, which the roll-ups cannot keep: targets that have fallen due with no breach recorded. */
export const COMPLIANCE_DUE_NOW = `
  0 as created, 0 as first_response_met,
  count(*) filter (where t.first_response_breached_at is null and ${FIRST_RESPONSE_DUE}) as first_response_breached,
  0 as resolution_met,
  count(*) filter (where t.resolution_breached_at is null and ${RESOLUTION_DUE}) as resolution_breached`;

/** Tickets with a target not settled yet (neither met nor recorded as breached): ticket_sla_pending_idx holds them. */
export const SLA_PENDING = '((t.first_responded_at is null and t.first_response_breached_at is null) or (t.resolved_at is null and t.resolution_breached_at is null))';
