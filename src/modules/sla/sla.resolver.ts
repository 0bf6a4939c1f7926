import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { Ticket } from '../tickets/ticket.entity';
import { BusinessHours } from './business-hours.entity';
import { viewClocks } from './sla-clock';
import { UpdateBusinessHoursInput, UpdateSlaPolicyInput } from './sla.inputs';
import { TicketSla } from './sla.payloads';
import { SlaPolicy } from './sla-policy.entity';

@Resolver(() => Ticket)
export class SlaResolver {
  @Query(() => [SlaPolicy], { description: 'The SLA policy of each priority (staff).' })
  slaPolicies(@Ctx() ctx: Context) {
    return ctx.services.sla.policies();
  }

  @Query(() => BusinessHours, { description: 'The business hours that business-hours policies count on (staff).' })
  businessHours(@Ctx() ctx: Context) {
    return ctx.services.sla.businessHours();
  }

  @Mutation(() => SlaPolicy, { description: "Change a priority's SLA targets (admins). Tickets get the new targets at their next change." })
  updateSlaPolicy(@Arg('input', () => UpdateSlaPolicyInput, { description: INPUT }) input: UpdateSlaPolicyInput, @Ctx() ctx: Context) {
    return ctx.services.sla.updatePolicy(input);
  }

  @Mutation(() => BusinessHours, { description: 'Change the business hours (admins).' })
  updateBusinessHours(@Arg('input', () => UpdateBusinessHoursInput, { description: INPUT }) input: UpdateBusinessHoursInput, @Ctx() ctx: Context) {
    return ctx.services.sla.updateBusinessHours(input);
  }

  @FieldResolver(() => TicketSla, { description: 'The SLA clocks, as of now.' })
  async sla(@Root() ticket: Ticket, @Ctx() ctx: Context): Promise<TicketSla> {
    return viewClocks(ticket, await ctx.loaders.slaTargets.load(ticket.priority), new Date());
  }
}
