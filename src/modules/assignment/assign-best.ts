import type { EntityManager } from '@mikro-orm/postgresql';
import { Business } from '../businesses/business.entity';
import { TicketEventType } from '../tickets/ticket-event.entity';
import { FINISHED_STATUSES, type Ticket } from '../tickets/ticket.entity';
import { recordEvent } from '../tickets/timeline';
import type { Actor } from '../users/auth/actor';
import { User } from '../users/user.entity';
import { Role } from '../users/user.enums';
import { rankCandidates, unavailableBecause, type Candidate, type Suggestion } from './assignment-score';

interface CandidateRow {
  id: string;
  name: string;
  capacity: number;
  availability: Candidate['availability'];
  last_assigned_at: string | null;
  open_tickets: string;
  expertise: string[];
}

const OPEN = FINISHED_STATUSES.map((status) => `'${status}'`).join(', ');

/** Every agent with its open-ticket count and expertise, in one query. */
export async function loadCandidates(em: EntityManager, ticket: Ticket): Promise<Candidate[]> {
  const rows = await em.execute<CandidateRow[]>(
    `select u.id, u.name, u.capacity, u.availability, u.last_assigned_at,
            (select count(*) from ticket t where t.assignee_id = u.id and t.status not in (${OPEN})) as open_tickets,
            coalesce((select array_agg(lower(g.name)) from agent_expertise e join tag g on g.id = e.tag_id where e.user_id = u.id), '{}') as expertise
       from app_user u where u.role = ?`,
    [Role.AGENT],
  );
  const business = ticket.business ? await em.findOne(Business, { id: ticket.business.id }) : null;
  const manager = business?.accountManager?.id;
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    capacity: row.capacity,
    availability: row.availability,
    openTickets: Number(row.open_tickets),
    lastAssignedAt: row.last_assigned_at ? new Date(row.last_assigned_at) : null,
    expertise: row.expertise,
    isAccountManager: row.id === manager,
  }));
}

/** The ticket's tags, lower-case. */
export async function ticketTagNames(em: EntityManager, ticket: Ticket): Promise<string[]> {
  const rows = await em.execute<{ name: string }[]>(
    'select lower(g.name) as name from ticket_tag tt join tag g on g.id = tt.tag_id where tt.ticket_id = ?',
    [ticket.id],
  );
  return rows.map((row) => row.name);
}

export async function suggestionsFor(em: EntityManager, ticket: Ticket, now = new Date()): Promise<Suggestion[]> {
  return rankCandidates(await loadCandidates(em, ticket), await ticketTagNames(em, ticket), now);
}

/** The advisory lock automatic assignments take: they run one at a time (they are quick). */
const ASSIGNMENT_LOCK = 7_411_002;

/**
 * Assigns the best available agent inside the caller's transaction (the ticket is locked). Automatic
 * assignments take one advisory lock before counting open tickets, so two running at once can never
 * both take an agent's last free place. When nobody qualifies the ticket stays unassigned and an
 * AUTO_ASSIGN_SKIPPED entry says why. Answers whether it assigned someone.
 */
export async function assignBest(em: EntityManager, ticket: Ticket, actor: Actor, now = new Date()): Promise<boolean> {
  await em.execute('select pg_advisory_xact_lock(?)', [ASSIGNMENT_LOCK]);
  const candidates = await loadCandidates(em, ticket);
  const [best] = rankCandidates(candidates, await ticketTagNames(em, ticket), now);
  if (!best) {
    const why = candidates.length === 0 ? 'there are no agents' : candidates.map((c) => unavailableBecause(c)).join('; ');
    recordEvent(em, ticket, actor, TicketEventType.AUTO_ASSIGN_SKIPPED, { isInternal: true, reason: `Nobody could take it: ${why}.` });
    return false;
  }
  const agent = await em.findOneOrFail(User, { id: best.candidate.id });
  recordEvent(em, ticket, actor, TicketEventType.ASSIGNED, {
    details: { from: ticket.assignee?.globalId ?? null, to: agent.globalId, automatic: true, reason: best.reason, score: best.score },
  });
  ticket.assignee = agent;
  agent.lastAssignedAt = now;
  return true;
}
