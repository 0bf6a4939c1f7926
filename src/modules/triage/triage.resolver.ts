import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { Ticket } from '../tickets/ticket.entity';
import { TicketPayload } from '../tickets/ticket.payloads';
import { CreateBusinessFromTicketInput } from './triage.inputs';
import { BusinessMatch } from './triage.payloads';

@Resolver(() => Ticket)
export class TriageResolver {
  @FieldResolver(() => [BusinessMatch], {
    description:
      'Staff only: businesses this ticket may be about, best first, with the evidence (contact email, email domain, company-name similarity). ' +
      'Meant for UNASSIGNED tickets; empty when the submitter gave neither email nor company.',
  })
  businessMatches(@Root() ticket: Ticket, @Ctx() ctx: Context) {
    return ctx.services.triage.matches(ticket);
  }

  @Mutation(() => TicketPayload, {
    description: 'Create the business the ticket is about (and the contact from its submitter) and link the ticket to it: one step, one transaction.',
  })
  async createBusinessFromTicket(
    @Arg('input', () => CreateBusinessFromTicketInput, { description: INPUT }) input: CreateBusinessFromTicketInput,
    @Ctx() ctx: Context,
  ) {
    return { ticket: await ctx.services.triage.createBusinessFromTicket(input) };
  }
}
