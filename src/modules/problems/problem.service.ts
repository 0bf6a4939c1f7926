import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, conflict, notFound } from '../../shared/errors';
import { decodeCursor, encodeCursor, pageFromRows, pageSize, type Page } from '../../shared/pagination';
import { pgArray } from '../../shared/sql';
import { idOf, LIMITS, optionalText, text } from '../../shared/validation';
import { writeComment } from '../comments/write-comment';
import { canReadReports } from '../reports/report.policy';
import { TagService } from '../tags/tag.service';
import { lockTickets } from '../tickets/lock-tickets';
import { TicketEventType } from '../tickets/ticket-event.entity';
import { FINISHED_STATUSES, Ticket } from '../tickets/ticket.entity';
import { recordEvent } from '../tickets/timeline';
import { denied } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import { User } from '../users/user.entity';
import { countProblemTickets, OPEN_TICKET, openBindings } from './problem.loaders';
import { ProblemStatus } from './problem.enums';
import { Problem } from './problem.entity';
import { MAX_PROBLEM_TICKETS, type CreateProblemInput, type ProblemClusterInput, type ProblemTicketsInput, type UpdateProblemInput } from './problem.inputs';
import { canReadProblems, canWorkOnProblems } from './problem.policy';

export interface ProblemTicketCount {
  problem: Problem;
  tickets: number;
  openTickets: number;
}

/**
 * Problems: the cause behind recurring tickets. Every change to a problem is told on the timeline of
 * each of its tickets as an internal PROBLEM_CHANGED entry (linked, unlinked, status, title, root
 * cause), in the same transaction; customers only ever see the external comment sent when it is FIXED.
 */
export class ProblemService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
  ) {}

  private mayRead(): void {
    if (!canReadProblems(this.actor)) throw denied(this.actor, 'Problems are for the team: staff, or an API key with TICKETS_READ and COMMENTS_INTERNAL.');
  }

  private mayWork(): void {
    if (!canWorkOnProblems(this.actor)) throw denied(this.actor, 'Only staff (or an API key with TICKETS_WRITE and COMMENTS_INTERNAL) change problems.');
  }

  async get(problemId: string): Promise<Problem> {
    this.mayRead();
    const problem = await this.em.findOne(Problem, { id: idOf(problemId, 'Problem', 'id') });
    if (!problem) throw notFound('Problem');
    return problem;
  }

  /** Problems, newest first, optionally of some statuses. */
  async list(args: { status?: ProblemStatus[] | null; first?: number | null; after?: string | null }): Promise<Page<Problem>> {
    this.mayRead();
    const limit = pageSize(args.first);
    const after = args.after ? String(decodeCursor(args.after, 1)[0]) : null;
    const statuses = args.status?.length ? { status: { $in: args.status } } : {};
    const rows = await this.em.find(Problem, { ...statuses, ...(after ? { id: { $lt: after } } : {}) }, { orderBy: { id: 'desc' }, limit: limit + 1 });
    return pageFromRows(rows, limit, args.after, (row) => encodeCursor([row.id]), () => this.em.count(Problem, statuses));
  }

  /** A problem's tickets, by id (oldest first). */
  async tickets(problem: Problem, args: { first?: number | null; after?: string | null }): Promise<Page<Ticket>> {
    this.mayRead();
    const limit = pageSize(args.first);
    const after = args.after ? String(decodeCursor(args.after, 1)[0]) : null;
    const rows = await this.em.execute<Record<string, unknown>[]>(
      `select t.* from problem_ticket pt join ticket t on t.id = pt.ticket_id where pt.problem_id = ? ${after ? 'and t.id > ?' : ''} order by t.id limit ?`,
      [problem.id, ...(after ? [after] : []), limit + 1],
    );
    return pageFromRows(rows.map((row) => this.em.map(Ticket, row)), limit, args.after, (row) => encodeCursor([row.id]), async () => countProblemTickets(this.em, [problem.id]).then((counts) => counts.get(problem.id)?.tickets ?? 0));
  }

  /** Report: tickets per problem, most first (at most 100 problems). */
  async ticketCounts(status: ProblemStatus[] | null | undefined): Promise<ProblemTicketCount[]> {
    if (!canReadReports(this.actor)) throw denied(this.actor, 'Reports are for staff and API keys with REPORTS_READ.');
    this.mayRead();
    const rows = await this.em.execute<{ id: string; tickets: string; open_tickets: string }[]>(
      `select p.id, count(t.id) as tickets, count(t.id) filter (where ${OPEN_TICKET}) as open_tickets
         from problem p left join problem_ticket pt on pt.problem_id = p.id left join ticket t on t.id = pt.ticket_id
        ${status?.length ? 'where p.status = any(?::text[])' : ''}
        group by p.id order by count(t.id) desc, p.id desc limit 100`,
      [...openBindings(), ...(status?.length ? [pgArray(status)] : [])],
    );
    const problems = new Map((await this.em.find(Problem, { id: { $in: rows.map((row) => row.id) } })).map((problem) => [problem.id, problem]));
    return rows.map((row) => ({ problem: problems.get(row.id)!, tickets: Number(row.tickets), openTickets: Number(row.open_tickets) }));
  }

  async create(input: CreateProblemInput): Promise<Problem> {
    this.mayWork();
    const title = text(input.title, 'title', LIMITS.title);
    const rootCause = optionalText(input.rootCause, 'rootCause', LIMITS.body);
    if (Boolean(input.ticketIds) === Boolean(input.fromCluster)) throw badInput('Give exactly one of ticketIds and fromCluster.', 'ticketIds');
    return this.em.transactional(async (em) => {
      const ticketIds = input.ticketIds ? await this.existing(em, input.ticketIds) : await this.clusterTickets(em, input.fromCluster!);
      const problem = em.create(Problem, {
        title,
        status: ProblemStatus.INVESTIGATING,
        rootCause,
        creator: this.actor.kind === 'user' ? em.getReference(User, this.actor.id) : null,
      });
      await this.relink(em, problem, ticketIds, []);
      await em.flush();
      return problem;
    });
  }

  async update(input: UpdateProblemInput): Promise<Problem> {
    this.mayWork();
    const id = idOf(input.problemId, 'Problem', 'problemId');
    const title = input.title === null || input.title === undefined ? null : text(input.title, 'title', LIMITS.title);
    const rootCause = input.rootCause === null || input.rootCause === undefined ? null : text(input.rootCause, 'rootCause', LIMITS.body);
    const message = optionalText(input.customerMessage, 'customerMessage', LIMITS.body);
    if (message && input.status !== ProblemStatus.FIXED) throw badInput('customerMessage goes with status FIXED.', 'customerMessage');
    return this.em.transactional(async (em) => {
      const problem = await this.lock(em, id, input.expectedVersion);
      const changes: Record<string, unknown> = {};
      if (title !== null && title !== problem.title) changes.title = { from: problem.title, to: (problem.title = title) };
      if (rootCause !== null && rootCause !== problem.rootCause) {
        problem.rootCause = rootCause;
        changes.rootCause = true;
      }
      if (input.status && input.status !== problem.status) {
        changes.status = { from: problem.status, to: input.status };
        problem.status = input.status;
        problem.fixedAt = input.status === ProblemStatus.FIXED ? new Date() : null;
      }
      if (Object.keys(changes).length === 0 && !message) return problem;
      for (const ticket of await em.find(Ticket, { id: { $in: await this.linkedIds(em, problem.id) } })) {
        recordEvent(em, ticket, this.actor, TicketEventType.PROBLEM_CHANGED, {
          isInternal: true,
          details: { problem: problem.globalId, title: problem.title, ...changes },
        });
      }
      if (message) await this.tellOpenTickets(em, problem, message);
      this.bump(problem);
      await em.flush();
      return problem;
    });
  }

  async changeTickets(input: ProblemTicketsInput): Promise<Problem> {
    this.mayWork();
    const id = idOf(input.problemId, 'Problem', 'problemId');
    const removeIds = (input.removeTicketIds ?? []).map((ticketId) => idOf(ticketId, 'Ticket', 'removeTicketIds'));
    return this.em.transactional(async (em) => {
      const problem = await this.lock(em, id, null);
      const addIds = input.addTicketIds?.length ? await this.existing(em, input.addTicketIds) : [];
      if (await this.relink(em, problem, addIds, removeIds)) this.bump(problem);
      await em.flush();
      return problem;
    });
  }

  /** Links and unlinks, with a PROBLEM_CHANGED entry on each ticket that changed; answers whether any did. */
  private async relink(em: EntityManager, problem: Problem, addIds: string[], removeIds: string[]): Promise<boolean> {
    const linked = new Set(await this.linkedIds(em, problem.id));
    const added = addIds.filter((ticketId) => !linked.has(ticketId) && !removeIds.includes(ticketId));
    const removed = [...new Set(removeIds)].filter((ticketId) => linked.has(ticketId));
    if (linked.size + added.length - removed.length > MAX_PROBLEM_TICKETS) throw badInput(`A problem explains at most ${MAX_PROBLEM_TICKETS} tickets.`, 'addTicketIds');
    await em.flush();
    for (const ticketId of added) await em.execute('insert into problem_ticket (problem_id, ticket_id) values (?, ?)', [problem.id, ticketId]);
    if (removed.length > 0) await em.execute('delete from problem_ticket where problem_id = ? and ticket_id = any(?::uuid[])', [problem.id, pgArray(removed)]);
    const tickets = new Map((await em.find(Ticket, { id: { $in: [...added, ...removed] } })).map((ticket) => [ticket.id, ticket]));
    for (const [ids, isLinked] of [[added, true], [removed, false]] as const) {
      for (const ticketId of ids) {
        recordEvent(em, tickets.get(ticketId)!, this.actor, TicketEventType.PROBLEM_CHANGED, {
          isInternal: true,
          details: { problem: problem.globalId, title: problem.title, linked: isLinked },
        });
      }
    }
    return added.length + removed.length > 0;
  }

  /** The external comment of a fix, on every open linked ticket, each locked (in id order) as a comment is. */
  private async tellOpenTickets(em: EntityManager, problem: Problem, message: string): Promise<void> {
    const rows = await em.execute<{ id: string }[]>(
      `select t.id from problem_ticket pt join ticket t on t.id = pt.ticket_id where pt.problem_id = ? and ${OPEN_TICKET}`,
      [problem.id, ...openBindings()],
    );
    const locked = await lockTickets(em, this.actor, rows.map((row) => row.id));
    for (const ticket of locked.values()) {
      if (FINISHED_STATUSES.includes(ticket.status) || ticket.mergedInto) continue;
      await writeComment(em, ticket, this.actor, message, false);
    }
  }

  private async lock(em: EntityManager, id: string, expectedVersion: number | null | undefined): Promise<Problem> {
    const problem = await em.findOne(Problem, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!problem) throw notFound('Problem');
    if (expectedVersion !== null && expectedVersion !== undefined && expectedVersion !== problem.version) {
      throw conflict(`The problem changed since version ${expectedVersion}; it is now at version ${problem.version}.`, { currentVersion: problem.version });
    }
    return problem;
  }

  private bump(problem: Problem): void {
    problem.version += 1;
    problem.updatedAt = new Date();
  }

  private async linkedIds(em: EntityManager, problemId: string): Promise<string[]> {
    const rows = await em.execute<{ ticket_id: string }[]>('select ticket_id from problem_ticket where problem_id = ? order by ticket_id', [problemId]);
    return rows.map((row) => row.ticket_id);
  }

  /** The named tickets, all of which must exist (NOT_FOUND otherwise). */
  private async existing(em: EntityManager, globalIds: string[]): Promise<string[]> {
    const ids = [...new Set(globalIds.map((ticketId) => idOf(ticketId, 'Ticket', 'ticketIds')))];
    if (ids.length === 0 || ids.length > MAX_PROBLEM_TICKETS) throw badInput(`Name 1 to ${MAX_PROBLEM_TICKETS} tickets.`, 'ticketIds');
    const found = await em.execute<{ id: string }[]>('select id from ticket where id = any(?::uuid[])', [pgArray(ids)]);
    if (found.length !== ids.length) throw notFound('Ticket');
    return ids;
  }

  /** The tickets of a title cluster (by title key, as recurringIssues groups them) or of a tag. */
  private async clusterTickets(em: EntityManager, cluster: ProblemClusterInput): Promise<string[]> {
    const titles = cluster.titles?.map((title) => text(title, 'fromCluster.titles', LIMITS.title)) ?? null;
    const tag = cluster.tag ? TagService.normalize([cluster.tag])[0] : null;
    if (Boolean(titles?.length) === Boolean(tag)) throw badInput('Give exactly one of fromCluster.titles and fromCluster.tag.', 'fromCluster');
    if (titles && titles.length > 50) throw badInput('At most 50 titles.', 'fromCluster.titles');
    const conditions: string[] = [];
    const bindings: (string | number)[] = [];
    if (titles) {
      conditions.push(`t.title_key = any(select hashtextextended(lower(x), 0) from unnest(?::text[]) x)`);
      bindings.push(pgArray(titles));
    } else {
      conditions.push(`exists (select 1 from ticket_tag tt join tag g on g.id = tt.tag_id where tt.ticket_id = t.id and g.name = ?)`);
      bindings.push(tag!);
    }
    if (cluster.createdAfter) {
      conditions.push('t.created_at >= ?');
      bindings.push(cluster.createdAfter.toISOString());
    }
    if (cluster.createdBefore) {
      conditions.push('t.created_at < ?');
      bindings.push(cluster.createdBefore.toISOString());
    }
    const rows = await em.execute<{ id: string }[]>(`select t.id from ticket t where ${conditions.join(' and ')} order by t.id limit ${MAX_PROBLEM_TICKETS + 1}`, bindings);
    if (rows.length === 0) throw badInput('No ticket matches fromCluster.', 'fromCluster');
    if (rows.length > MAX_PROBLEM_TICKETS) throw badInput(`More than ${MAX_PROBLEM_TICKETS} tickets match fromCluster; narrow the period.`, 'fromCluster');
    return rows.map((row) => row.id);
  }
}
