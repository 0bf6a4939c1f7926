import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { User } from '../users/user.entity';
import { TicketEvent } from './ticket-event.entity';

@Resolver(() => TicketEvent)
export class TicketEventResolver {
  @FieldResolver(() => User, { nullable: true, description: 'The staff member who made the change; null for customers, integrations and the system.' })
  actor(@Root() event: TicketEvent, @Ctx() ctx: Context) {
    return event.actor && ctx.loaders.users.load(event.actor.id);
  }
}
