import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { notFound } from '../../shared/errors';
import { AFTER_DESCRIPTION, Connection, FIRST_DESCRIPTION, toConnection } from '../../shared/pagination';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';
import { FollowUp } from './follow-up.entity';
import { CompleteFollowUpInput, ScheduleFollowUpInput } from './follow-up.inputs';

const FollowUpConnection = Connection(FollowUp, 'FollowUp');

@Resolver(() => FollowUp)
export class FollowUpResolver {
  @Query(() => FollowUpConnection, { description: "The signed-in staff member's pending follow-ups, soonest first." })
  async followUps(
    @Ctx() ctx: Context,
    @Arg('dueOnly', () => Boolean, { defaultValue: true, description: 'true (default): only those due now; false: every pending one.' }) dueOnly: boolean,
    @Arg('first', () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first?: number,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after?: string,
  ) {
    return toConnection(await ctx.services.followUps.mine({ dueOnly, first, after }));
  }

  @Mutation(() => FollowUp, { description: 'Schedule a follow-up on a resolved or closed ticket (staff); recorded on its timeline.' })
  scheduleFollowUp(@Arg('input', () => ScheduleFollowUpInput, { description: INPUT }) input: ScheduleFollowUpInput, @Ctx() ctx: Context) {
    return ctx.services.followUps.schedule(input);
  }

  @Mutation(() => FollowUp, { description: 'Mark a follow-up done (staff); recorded on its ticket’s timeline.' })
  completeFollowUp(@Arg('input', () => CompleteFollowUpInput, { description: INPUT }) input: CompleteFollowUpInput, @Ctx() ctx: Context) {
    return ctx.services.followUps.complete(input);
  }

  @FieldResolver(() => Ticket, { description: 'The ticket to follow up on.' })
  async ticket(@Root() followUp: FollowUp, @Ctx() ctx: Context) {
    return (await ctx.loaders.visibleTickets.load(followUp.ticket.id)) ?? Promise.reject(notFound('Ticket'));
  }

  @FieldResolver(() => User, { description: 'Who scheduled it, and will do it.' })
  owner(@Root() followUp: FollowUp, @Ctx() ctx: Context) {
    return ctx.loaders.users.load(followUp.owner.id);
  }
}
