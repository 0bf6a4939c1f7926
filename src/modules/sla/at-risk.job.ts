import type { EntityManager } from '@mikro-orm/postgresql';
import { TicketEventType } from '../tickets/ticket-event.entity';
import { Ticket } from '../tickets/ticket.entity';
import { recordEvent } from '../tickets/timeline';
import { SYSTEM } from '../users/auth/actor';

const BATCH = 100;

/**
 * A clock is at risk once `share` of its time has passed: of the wall-clock time from the ticket's
 * creation to the clock's due date, less the time the clocks stood paused. (For a 24/7 policy that is
 * the share of the target; under business hours the share of the calendar time up to the due date.)
 * Only running, unmet clocks that are not yet due count: a clock past due is a breach (breach.job.ts).
 */
const AT_RISK = (clock: 'first_response_due_at' | 'due_at') => `${clock} > :now
  and :now >= created_at + make_interval(secs => sla_paused_wall_seconds)
             + :share * (${clock} - created_at - make_interval(secs => sla_paused_wall_seconds))`;

const CANDIDATES = `
  select id,
         (resolution_at_risk_at is null and resolution_breached_at is null and ${AT_RISK('due_at')}) as resolution,
         (first_responded_at is null and first_response_at_risk_at is null and first_response_breached_at is null
          and ${AT_RISK('first_response_due_at')}) as first_response
    from ticket
   where status not in ('RESOLVED', 'CLOSED') and sla_paused_since is null
     and ((resolution_at_risk_at is null and resolution_breached_at is null and ${AT_RISK('due_at')})
       or (first_responded_at is null and first_response_at_risk_at is null and first_response_breached_at is null
           and ${AT_RISK('first_response_due_at')}))
   limit ${BATCH}
   for update skip locked`;

/**
 * Records an SLA_AT_RISK entry (internal, no actor) once per clock that is at risk by `now`, and marks
 * the clock so. Rows are taken with `for update skip locked` in batches, as by the breach job, so
 * instances running it at the same time never record a clock twice. Does not move `version`.
 */
export async function recordSlaWarnings(root: EntityManager, share: number, now = new Date()): Promise<number> {
  let recorded = 0;
  for (;;) {
    const batch = await root.fork().transactional(async (em) => {
      const rows = await em.execute<{ id: string; resolution: boolean; first_response: boolean }[]>(
        em.getKnex().raw(CANDIDATES, { now, share }),
      );
      if (rows.length === 0) return 0;
      const tickets = new Map((await em.find(Ticket, { id: { $in: rows.map((row) => row.id) } })).map((ticket) => [ticket.id, ticket]));
      for (const row of rows) {
        const ticket = tickets.get(row.id)!;
        if (row.first_response) {
          ticket.firstResponseAtRiskAt = now;
          recordEvent(em, ticket, SYSTEM, TicketEventType.SLA_AT_RISK, { isInternal: true, details: { clock: 'FIRST_RESPONSE', dueAt: ticket.firstResponseDueAt?.toISOString() ?? null } });
        }
        if (row.resolution) {
          ticket.resolutionAtRiskAt = now;
          recordEvent(em, ticket, SYSTEM, TicketEventType.SLA_AT_RISK, { isInternal: true, details: { clock: 'RESOLUTION', dueAt: ticket.dueAt?.toISOString() ?? null } });
        }
      }
      return rows.length;
    });
    recorded += batch;
    if (batch < BATCH) return recorded;
  }
}
