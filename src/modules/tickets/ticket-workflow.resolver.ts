import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { Ticket } from './ticket.entity';
import { TicketStatus } from './ticket.enums';
import { ChangeTicketStatusInput, ReopenTicketInput, ResolveTicketInput, SetTicketDueDateInput, TicketRefInput } from './ticket.inputs';
import { TicketPayload } from './ticket.payloads';

@Resolver(() => Ticket)
export class TicketWorkflowResolver {
  @FieldResolver(() => [TicketStatus], { description: 'The statuses the viewer may move this ticket to now (empty when none).' })
  availableTransitions(@Root() ticket: Ticket, @Ctx() ctx: Context) {
    return ctx.services.workflow.availableTransitions(ticket);
  }

  @Mutation(() => TicketPayload, {
    description: 'Move a ticket to another status. A move the table does not allow answers INVALID_TRANSITION with `extensions.allowed`.',
  })
  async changeTicketStatus(@Arg('input', () => ChangeTicketStatusInput, { description: INPUT }) input: ChangeTicketStatusInput, @Ctx() ctx: Context) {
    return { ticket: await ctx.services.workflow.changeStatus(input) };
  }

  @Mutation(() => TicketPayload, {
    description:
      'IN_PROGRESS → RESOLVED, with the solution documented. The answer lists the ticket’s children still open (`openChildren`); with `resolveChildren` they are resolved too.',
  })
  resolveTicket(@Arg('input', () => ResolveTicketInput, { description: INPUT }) input: ResolveTicketInput, @Ctx() ctx: Context) {
    return ctx.services.links.resolve(input);
  }

  @Mutation(() => TicketPayload, { description: "RESOLVED → CLOSED: the customer (or staff) confirms the solution." })
  async confirmResolution(@Arg('input', () => TicketRefInput, { description: INPUT }) input: TicketRefInput, @Ctx() ctx: Context) {
    return { ticket: await ctx.services.workflow.confirmResolution(input) };
  }

  @Mutation(() => TicketPayload, { description: 'RESOLVED → IN_PROGRESS, by the customer or staff, with a reason.' })
  async reopenTicket(@Arg('input', () => ReopenTicketInput, { description: INPUT }) input: ReopenTicketInput, @Ctx() ctx: Context) {
    return { ticket: await ctx.services.workflow.reopen(input) };
  }

  @Mutation(() => TicketPayload, { description: 'Set the due date by hand, with a justification kept on the timeline.' })
  async setTicketDueDate(@Arg('input', () => SetTicketDueDateInput, { description: INPUT }) input: SetTicketDueDateInput, @Ctx() ctx: Context) {
    return { ticket: await ctx.services.workflow.setDueDate(input) };
  }
}
