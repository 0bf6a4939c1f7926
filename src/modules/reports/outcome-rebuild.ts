import type { EntityManager } from '@mikro-orm/postgresql';
import { BusinessHours } from '../sla/business-hours.entity';
import { SlaPolicy } from '../sla/sla-policy.entity';
import type { SlaTargets } from '../sla/sla-clock';
import { toTargets } from '../sla/sla.service';
import { TicketEventType } from '../tickets/ticket-event.entity';
import type { TicketPriority } from '../tickets/ticket.enums';
import { replayOutcome, type ClockEntry, type OutcomeFigures } from './outcome-replay';

const BATCH = 2_000;

/** Ticket column of each figure, and its SQL type. */
const COLUMNS: Record<keyof OutcomeFigures, string> = {
  firstRespondedAt: 'first_responded_at',
  firstResponseSeconds: 'first_response_seconds',
  firstResponseBusinessSeconds: 'first_response_business_seconds',
  resolutionSeconds: 'resolution_seconds',
  resolutionBusinessSeconds: 'resolution_business_seconds',
  reopenCount: 'reopen_count',
  slaPausedSeconds: 'sla_paused_seconds',
  slaPausedWallSeconds: 'sla_paused_wall_seconds',
  slaClockSeconds: 'sla_clock_seconds',
  slaClockMark: 'sla_clock_mark',
};
const typeOf = (field: keyof OutcomeFigures) => (field === 'firstRespondedAt' || field === 'slaClockMark' ? 'timestamptz' : 'integer');

const FIELDS = Object.keys(COLUMNS) as (keyof OutcomeFigures)[];

/** One statement per batch: the replayed figures of the tickets that differ. */
async function store(em: EntityManager, rows: [string, OutcomeFigures][]): Promise<void> {
  const values = rows.map(([id, figures]) => [id, ...FIELDS.map((field) => figures[field])]);
  const placeholders = values.map((row) => `(${row.map(() => '?').join(', ')})`).join(', ');
  await em.execute(
    `update ticket t set ${FIELDS.map((field, i) => `${COLUMNS[field]} = v.c${i + 1}::${typeOf(field)}`).join(', ')}
       from (values ${placeholders}) as v(${['c0', ...FIELDS.map((_, i) => `c${i + 1}`)].join(', ')})
      where t.id = v.c0::uuid`,
    values.flat(),
  );
}

export interface Mismatch {
  ticketId: string;
  field: keyof OutcomeFigures;
  stored: unknown;
  replayed: unknown;
}

/** Timestamps (the driver answers them as text here) and numbers, as numbers. */
function comparable(field: keyof OutcomeFigures, value: unknown): number | null {
  if (value === null || value === undefined) return null;
  return typeOf(field) === 'timestamptz' ? new Date(value as string | Date).getTime() : Number(value);
}

/**
 * Replays every ticket's timeline (in batches, oldest first) and compares the figures with what the
 * ticket rows hold; with `write`, stores the replayed figures instead (a backfill for tickets from
 * before the figures existed). Answers the tickets checked and every difference found.
 */
export async function rebuildOutcomes(em: EntityManager, { write = false, ticketIds }: { write?: boolean; ticketIds?: string[] } = {}) {
  const knex = em.getKnex();
  const [policies, hours] = await Promise.all([em.find(SlaPolicy, {}), em.findOneOrFail(BusinessHours, { id: 1 })]);
  const targets = new Map(policies.map((policy) => [policy.priority, toTargets(policy, hours)]));
  const targetsOf = (priority: TicketPriority): SlaTargets => targets.get(priority)!;

  const mismatches: Mismatch[] = [];
  let checked = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const q = knex('ticket').select('id', 'created_at', 'priority', ...Object.values(COLUMNS)).where('id', '>', after).orderBy('id').limit(BATCH);
    if (ticketIds) q.whereIn('id', ticketIds);
    const tickets = await em.execute<Record<string, unknown>[]>(q);
    if (tickets.length === 0) break;
    after = tickets[tickets.length - 1].id as string;
    const entries = await em.execute<Record<string, unknown>[]>(
      knex('ticket_event')
        .select('ticket_id', 'type', 'created_at', 'from_status', 'to_status', 'is_internal', 'actor_id', 'details')
        .whereIn('ticket_id', tickets.map((t) => t.id as string))
        .whereIn('type', [TicketEventType.CREATED, TicketEventType.STATUS_CHANGED, TicketEventType.AUTO_CLOSED, TicketEventType.PRIORITY_CHANGED, TicketEventType.COMMENTED])
        .orderBy('position'),
    );
    const byTicket = new Map<string, ClockEntry[]>();
    for (const row of entries) {
      const list = byTicket.get(row.ticket_id as string) ?? [];
      list.push({
        type: row.type as string,
        at: new Date(row.created_at as string),
        fromStatus: row.from_status as string | null,
        toStatus: row.to_status as string | null,
        isInternal: row.is_internal as boolean,
        byStaff: row.actor_id !== null,
        details: (row.details ?? {}) as Record<string, unknown>,
      });
      byTicket.set(row.ticket_id as string, list);
    }
    const differing: [string, OutcomeFigures][] = [];
    for (const ticket of tickets) {
      const id = ticket.id as string;
      const replayed = replayOutcome(
        { createdAt: new Date(ticket.created_at as string), priority: ticket.priority as TicketPriority },
        byTicket.get(id) ?? [],
        targetsOf,
      );
      const found = FIELDS.filter((field) => comparable(field, ticket[COLUMNS[field]]) !== comparable(field, replayed[field]));
      for (const field of found) mismatches.push({ ticketId: id, field, stored: ticket[COLUMNS[field]], replayed: replayed[field] });
      if (found.length > 0) differing.push([id, replayed]);
    }
    if (write && differing.length > 0) await store(em, differing);
    checked += tickets.length;
  }
  return { checked, mismatches };
}
