import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { Tag } from '../tags/tag.entity';
import { Ticket } from '../tickets/ticket.entity';
import { TicketPayload } from '../tickets/ticket.payloads';
import { User } from '../users/user.entity';
import { PRIVATE_FIELD, seesPrivate } from '../users/user.resolver';
import { AssignmentPolicy } from './assignment-policy.entity';
import {
  AutoAssignTicketInput,
  SetAgentCapacityInput,
  SetAgentExpertiseInput,
  SetAvailabilityInput,
  UpdateAssignmentPolicyInput,
} from './assignment.inputs';
import { AssignmentSuggestion } from './assignment.payloads';

@Resolver(() => Ticket)
export class TicketAssignmentResolver {
  @FieldResolver(() => [AssignmentSuggestion], { description: 'Staff only: available agents under capacity who could take this ticket, best first.' })
  async assignmentSuggestions(
    @Root() ticket: Ticket,
    @Ctx() ctx: Context,
    @Arg('limit', () => Int, { defaultValue: 5, description: 'How many, 1 to 50.' }) limit: number,
  ) {
    return (await ctx.services.assignment.suggestions(ticket, limit)).map((s) => ({
      agent: ctx.loaders.users.load(s.candidate.id),
      score: s.score,
      parts: s.parts,
      reason: s.reason,
    }));
  }

  @Mutation(() => TicketPayload, {
    description: 'Assign the best available agent (see assignmentSuggestions). If nobody qualifies the ticket stays as it is and the timeline says why.',
  })
  async autoAssignTicket(@Arg('input', () => AutoAssignTicketInput, { description: INPUT }) input: AutoAssignTicketInput, @Ctx() ctx: Context) {
    return { ticket: await ctx.services.assignment.autoAssign(input) };
  }

  @Query(() => AssignmentPolicy, { description: 'When tickets are assigned automatically (staff).' })
  assignmentPolicy(@Ctx() ctx: Context) {
    return ctx.services.assignment.policy();
  }

  @Mutation(() => AssignmentPolicy, { description: 'Change when tickets are assigned automatically (admins).' })
  updateAssignmentPolicy(@Arg('input', () => UpdateAssignmentPolicyInput, { description: INPUT }) input: UpdateAssignmentPolicyInput, @Ctx() ctx: Context) {
    return ctx.services.assignment.updatePolicy(input);
  }
}

@Resolver(() => User)
export class AgentProfileResolver {
  @FieldResolver(() => Int, { nullable: true, description: `Tickets assigned to this user that are neither resolved nor closed. ${PRIVATE_FIELD}` })
  openTicketCount(@Root() user: User, @Ctx() ctx: Context) {
    return seesPrivate(ctx, user) ? ctx.loaders.openTicketCounts.load(user.id) : null;
  }

  @FieldResolver(() => [Tag], { nullable: true, description: `Tags this agent is expert in; matched against ticket tags by assignment. ${PRIVATE_FIELD}` })
  expertise(@Root() user: User, @Ctx() ctx: Context) {
    return seesPrivate(ctx, user) ? ctx.loaders.expertise.load(user.id) : null;
  }

  @Mutation(() => User, { description: "Set an agent's expertise tags (admins, or the agent itself)." })
  setAgentExpertise(@Arg('input', () => SetAgentExpertiseInput, { description: INPUT }) input: SetAgentExpertiseInput, @Ctx() ctx: Context) {
    return ctx.services.assignment.setExpertise(input);
  }

  @Mutation(() => User, { description: 'Set availability: agents their own, admins anyone’s.' })
  setAvailability(@Arg('input', () => SetAvailabilityInput, { description: INPUT }) input: SetAvailabilityInput, @Ctx() ctx: Context) {
    return ctx.services.assignment.setAvailability(input);
  }

  @Mutation(() => User, { description: "Set an agent's capacity (admins)." })
  setAgentCapacity(@Arg('input', () => SetAgentCapacityInput, { description: INPUT }) input: SetAgentCapacityInput, @Ctx() ctx: Context) {
    return ctx.services.assignment.setCapacity(input);
  }
}
