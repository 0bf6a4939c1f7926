import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { pgArray } from '../../shared/sql';
import { FINISHED_STATUSES } from '../tickets/ticket.entity';
import { denied } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import { Problem } from './problem.entity';
import { canReadProblems } from './problem.policy';

/** A ticket `t` still open: neither resolved nor closed, nor merged away. Its one binding: `openBindings()`. */
export const OPEN_TICKET = `t.status <> all(?::text[]) and t.merged_into_id is null`;
export const openBindings = () => [pgArray([...FINISHED_STATUSES])];

/** Per problem: its tickets, and those still open, in one statement. */
export async function countProblemTickets(em: EntityManager, problemIds: readonly string[]): Promise<Map<string, { tickets: number; openTickets: number }>> {
  const rows = await em.execute<{ problem_id: string; tickets: string; open_tickets: string }[]>(
    `select pt.problem_id, count(*) as tickets, count(*) filter (where ${OPEN_TICKET}) as open_tickets
       from problem_ticket pt join ticket t on t.id = pt.ticket_id
      where pt.problem_id = any(?::uuid[]) group by pt.problem_id`,
    [...openBindings(), pgArray([...problemIds])],
  );
  return new Map(rows.map((row) => [row.problem_id, { tickets: Number(row.tickets), openTickets: Number(row.open_tickets) }]));
}

/**
 * Ticket counts per problem, and a ticket's problems, batched per request. A viewer who may not read
 * problems gets FORBIDDEN from `problemsByTicket` (the counts are reached only through a Problem).
 */
export function createProblemLoaders(em: EntityManager, actor: Actor) {
  return {
    problemTicketCounts: new DataLoader<string, { tickets: number; openTickets: number }>(async (problemIds) => {
      const counts = await countProblemTickets(em, problemIds);
      return problemIds.map((id) => counts.get(id) ?? { tickets: 0, openTickets: 0 });
    }),
    problemsByTicket: new DataLoader<string, Problem[]>(async (ticketIds) => {
      if (!canReadProblems(actor)) {
        const refused = denied(actor, 'Problems are for the team: staff, or an API key with TICKETS_READ and COMMENTS_INTERNAL.');
        return ticketIds.map(() => refused);
      }
      const rows = await em.execute<(Record<string, unknown> & { for_ticket: string })[]>(
        'select pt.ticket_id as for_ticket, p.* from problem_ticket pt join problem p on p.id = pt.problem_id where pt.ticket_id = any(?::uuid[]) order by p.id',
        [pgArray([...ticketIds])],
      );
      const byTicket = new Map<string, Problem[]>();
      for (const { for_ticket: ticketId, ...row } of rows) byTicket.set(ticketId, [...(byTicket.get(ticketId) ?? []), em.map(Problem, row)]);
      return ticketIds.map((id) => byTicket.get(id) ?? []);
    }),
  };
}
