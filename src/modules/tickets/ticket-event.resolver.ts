import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { notFound } from '../../shared/errors';
import { seesReason } from '../access/visibility';
import { User } from '../users/user.entity';
import { TicketEvent } from './ticket-event.entity';
import { Ticket } from './ticket.entity';

@Resolver(() => TicketEvent)
export class TicketEventResolver {
  @FieldResolver(() => Ticket, { description: 'The ticket whose timeline this entry is on.' })
  async ticket(@Root() event: TicketEvent, @Ctx() ctx: Context) {
    // Read through the viewer's ticket scope like any other path to a ticket (whoever sees an entry sees its ticket).
    return (await ctx.loaders.visibleTickets.load(event.ticket.id)) ?? Promise.reject(notFound('Ticket'));
  }

  @FieldResolver(() => User, { nullable: true, description: 'The staff member who made the change; null for customers, integrations and the system.' })
  actor(@Root() event: TicketEvent, @Ctx() ctx: Context) {
    return event.actor && ctx.loaders.users.now(event.actor.id);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Why, when the change needed a reason. A reason for the team only is null for viewers who may not read internal ' +
      'content (customers, keys without COMMENTS_INTERNAL): they still see the entry itself.',
  })
  reason(@Root() event: TicketEvent, @Ctx() ctx: Context): string | null {
    return seesReason(ctx.actor, event) ? event.reason : null;
  }
}
