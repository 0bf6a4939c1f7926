import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { Ticket } from '../tickets/ticket.entity';
import { isStaff } from '../users/auth/access';
import { ticketRule } from '../access/visibility';
import { RateTicketInput } from './satisfaction.inputs';
import { SatisfactionRating } from './satisfaction-rating.entity';

@Resolver(() => Ticket)
export class SatisfactionResolver {
  @Mutation(() => SatisfactionRating, {
    description:
      'Rate a resolved or closed ticket, once: as its contact, or with its one-time `satisfactionToken` (no login needed). ' +
      'A second rating answers CONFLICT; staff and API keys cannot rate.',
  })
  rateTicket(@Arg('input', () => RateTicketInput, { description: INPUT }) input: RateTicketInput, @Ctx() ctx: Context) {
    return ctx.services.satisfaction.rate(input);
  }

  @FieldResolver(() => SatisfactionRating, { nullable: true, description: "The customer's rating, once given." })
  satisfaction(@Root() ticket: Ticket, @Ctx() ctx: Context) {
    // A ticket can reach a viewer who may not read it (a key's createTicket payload): then it has no rating to show.
    return ticketRule(ctx.actor).allows({ businessId: ticket.business?.id ?? null }) ? ctx.loaders.ratings.load(ticket.id) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Staff only (null for others): the one-time token that lets the submitter rate this ticket without a login, ' +
      'to put in the resolution mail. Set when the ticket is resolved; null once rated.',
  })
  satisfactionToken(@Root() ticket: Ticket, @Ctx() ctx: Context): string | null {
    return isStaff(ctx.actor) ? ticket.satisfactionToken : null;
  }
}
