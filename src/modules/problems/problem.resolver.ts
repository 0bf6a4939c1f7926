import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { AFTER_DESCRIPTION, FIRST_DESCRIPTION, toConnection } from '../../shared/pagination';
import { TicketConnection } from '../tickets/ticket.payloads';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';
import { ProblemStatus } from './problem.enums';
import { Problem } from './problem.entity';
import { CreateProblemInput, MAX_PROBLEM_TICKETS, ProblemTicketsInput, UpdateProblemInput } from './problem.inputs';
import { ProblemConnection, ProblemPayload, ProblemTicketCountRow } from './problem.payloads';

const TEAM_ONLY = 'Team only: staff, or an API key with TICKETS_READ and COMMENTS_INTERNAL; anyone else gets FORBIDDEN.';

@Resolver(() => Problem)
export class ProblemResolver {
  @Query(() => Problem, { nullable: true, description: `One problem (NOT_FOUND when it does not exist). ${TEAM_ONLY}` })
  problem(@Arg('id', () => ID, { description: 'The problem id.' }) id: string, @Ctx() ctx: Context) {
    return ctx.services.problems.get(id);
  }

  @Query(() => ProblemConnection, { description: `Problems, newest first. ${TEAM_ONLY}` })
  async problems(
    @Ctx() ctx: Context,
    @Arg('status', () => [ProblemStatus], { nullable: true, description: 'Only problems in these statuses.' }) status?: ProblemStatus[],
    @Arg('first', () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first?: number,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after?: string,
  ) {
    return toConnection(await ctx.services.problems.list({ status, first, after }));
  }

  @Query(() => [ProblemTicketCountRow], {
    description: `Report: tickets per problem, most first (at most 100 problems). Needs REPORTS_READ (staff have it) as well as the right to read problems. ${TEAM_ONLY}`,
  })
  problemTicketCounts(
    @Ctx() ctx: Context,
    @Arg('status', () => [ProblemStatus], { nullable: true, description: 'Only problems in these statuses.' }) status?: ProblemStatus[],
  ) {
    return ctx.services.problems.ticketCounts(status);
  }

  @Mutation(() => ProblemPayload, {
    description:
      'Open a problem (status INVESTIGATING) for the tickets it explains: listed by id, or `fromCluster`, the titles of a `recurringIssues` title cluster or a tag. ' +
      `Each ticket gets an internal PROBLEM_CHANGED entry. At most ${MAX_PROBLEM_TICKETS} tickets; unknown ticket ids answer NOT_FOUND. ${TEAM_ONLY}`,
  })
  async createProblem(@Arg('input', () => CreateProblemInput, { description: INPUT }) input: CreateProblemInput, @Ctx() ctx: Context) {
    return { problem: await ctx.services.problems.create(input) };
  }

  @Mutation(() => ProblemPayload, {
    description:
      'Change a problem’s title, root-cause note or status. Every linked ticket gets an internal PROBLEM_CHANGED entry saying what changed. ' +
      `Set FIXED with a \`customerMessage\` to write it as an external comment (mailed) on every linked ticket still open. ${TEAM_ONLY}`,
  })
  async updateProblem(@Arg('input', () => UpdateProblemInput, { description: INPUT }) input: UpdateProblemInput, @Ctx() ctx: Context) {
    return { problem: await ctx.services.problems.update(input) };
  }

  @Mutation(() => ProblemPayload, { description: `Link tickets to a problem, or unlink them (internal PROBLEM_CHANGED entries on each). ${TEAM_ONLY}` })
  async changeProblemTickets(@Arg('input', () => ProblemTicketsInput, { description: INPUT }) input: ProblemTicketsInput, @Ctx() ctx: Context) {
    return { problem: await ctx.services.problems.changeTickets(input) };
  }

  @FieldResolver(() => TicketConnection, { description: 'The tickets it explains, oldest first.' })
  async tickets(
    @Root() problem: Problem,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first?: number,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after?: string,
  ) {
    return toConnection(await ctx.services.problems.tickets(problem, { first, after }));
  }

  @FieldResolver(() => Int, { description: 'How many tickets it explains.' })
  async ticketCount(@Root() problem: Problem, @Ctx() ctx: Context) {
    return (await ctx.loaders.problemTicketCounts.load(problem.id)).tickets;
  }

  @FieldResolver(() => Int, { description: 'How many of them are neither resolved, closed nor merged.' })
  async openTicketCount(@Root() problem: Problem, @Ctx() ctx: Context) {
    return (await ctx.loaders.problemTicketCounts.load(problem.id)).openTickets;
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who opened it; null for an integration.' })
  creator(@Root() problem: Problem, @Ctx() ctx: Context) {
    return problem.creator && ctx.loaders.users.load(problem.creator.id);
  }
}

@Resolver(() => Ticket)
export class ProblemTicketResolver {
  @FieldResolver(() => [Problem], { nullable: true, description: `The problems this ticket is linked to. ${TEAM_ONLY}` })
  problems(@Root() ticket: Ticket, @Ctx() ctx: Context) {
    return ctx.loaders.problemsByTicket.load(ticket.id);
  }
}
