import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { User } from '../users/user.entity';
import { PRESENCE_HEARTBEAT_MS, VIEWING_LEASE_MS } from './presence-hub';
import { SetTypingInput, TicketPresence } from './presence.payloads';

const STAFF_ONLY = 'Staff accounts only (customers and API keys: FORBIDDEN).';

@Resolver(() => TicketPresence)
export class PresenceResolver {
  @Subscription(() => TicketPresence, {
    description:
      'Collision detection: while subscribed you are listed as viewing the ticket, and you receive who views it and who is writing a reply: ' +
      'first the list as it is, then the whole list again whenever it changes, from every server instance. When the subscription or its socket ' +
      `closes you leave the list at once; if a server dies, its viewers leave within ${(VIEWING_LEASE_MS + PRESENCE_HEARTBEAT_MS) / 1000} seconds. ${STAFF_ONLY}`,
    subscribe: ({ args, context }) => (context as Context).services.presence.watch(args.ticketId as string),
  })
  ticketViewers(@Root() presence: TicketPresence, @Arg('ticketId', () => ID, { description: 'The ticket.' }) _ticketId: string): TicketPresence {
    return presence;
  }

  @Mutation(() => TicketPresence, {
    description:
      'Says you are (or stopped) writing a reply on a ticket; its viewers are told. You are shown as typing while you also view it ' +
      `(ticketViewers). Answers who is on the ticket now. ${STAFF_ONLY}`,
  })
  setTyping(@Arg('input', () => SetTypingInput, { description: INPUT }) input: SetTypingInput, @Ctx() ctx: Context) {
    return ctx.services.presence.setTyping(input);
  }

  @FieldResolver(() => [User], { description: 'Staff members viewing the ticket (you too, while subscribed), once each however many tabs.' })
  async viewers(@Root() presence: TicketPresence, @Ctx() ctx: Context) {
    return usersOf(ctx, presence.viewerIds);
  }

  @FieldResolver(() => [User], { description: 'Staff members viewing it who are writing a reply now (setTyping).' })
  async typing(@Root() presence: TicketPresence, @Ctx() ctx: Context) {
    return usersOf(ctx, presence.typistIds);
  }
}

/** The accounts that still exist, in the order given. */
async function usersOf(ctx: Context, ids: string[]): Promise<User[]> {
  const users = await ctx.loaders.users.loadMany(ids);
  return users.filter((user): user is User => user instanceof User);
}
