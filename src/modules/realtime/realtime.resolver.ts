import { filter, pipe, map } from '@graphql-yoga/subscription';
import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../context';
import { Comment } from '../comments/comment.entity';
import { TicketEventType } from '../tickets/ticket-event.entity';
import { toGlobalId } from '../../shared/global-id';
import { optionalIdOf } from '../../shared/validation';
import { TIMELINE_TOPIC, type PubSub, type TimelineMessage } from './pubsub';
import { TicketStatusChange } from './realtime.payloads';

/**
 * Each message is reloaded for each subscriber through a fresh context (its own ORM fork, loaders
 * and a re-checked token), so the same services and access rules as queries decide what it receives,
 * and a token that has expired ends the subscription.
 */
function deliver<T>(pubSub: PubSub, context: Context, load: (ctx: Context, message: TimelineMessage) => Promise<T | null>) {
  return pipe(
    pubSub.subscribe(TIMELINE_TOPIC),
    map(async (message: TimelineMessage) => load(await context.renew(), message)),
    filter((value): value is Awaited<T> => value !== null),
  );
}

/** Answers null instead of NOT_FOUND: what a subscriber may not see is simply not sent. */
async function visible<T>(lookup: Promise<T>): Promise<T | null> {
  try {
    return await lookup;
  } catch (error) {
    if ((error as { extensions?: { code?: string } }).extensions?.code === 'NOT_FOUND') return null;
    throw error;
  }
}

@Resolver()
export class RealtimeResolver {
  @Subscription(() => TicketStatusChange, {
    description: 'Status changes of the tickets the subscriber may see, optionally narrowed to one ticket, business or assignee.',
    subscribe: ({ args, context }) => {
      const ctx = context as Context;
      const wanted = {
        ticketId: optionalIdOf(args.ticketId, 'Ticket', 'ticketId'),
        businessId: optionalIdOf(args.businessId, 'Business', 'businessId'),
        assigneeId: optionalIdOf(args.assigneeId, 'User', 'assigneeId'),
      };
      return deliver(ctx.pubSub, ctx, async (scoped, message) => {
        if (message.type !== TicketEventType.STATUS_CHANGED && message.type !== TicketEventType.AUTO_CLOSED) return null;
        if (wanted.ticketId && message.ticketId !== wanted.ticketId) return null;
        const event = await visible(scoped.services.tickets.getEvent(toGlobalId('TicketEvent', message.eventId)));
        const ticket = event && (await scoped.loaders.visibleTickets.load(message.ticketId));
        if (!event || !ticket) return null;
        if (wanted.businessId && ticket.business?.id !== wanted.businessId) return null;
        if (wanted.assigneeId && ticket.assignee?.id !== wanted.assigneeId) return null;
        const actor = event.actor && (await scoped.loaders.users.load(event.actor.id));
        return { eventId: event.globalId, ticket, from: event.fromStatus, to: event.toStatus!, actor, reason: event.reason, at: event.at };
      });
    },
  })
  ticketStatusChanged(
    @Root() change: TicketStatusChange,
    @Arg('ticketId', () => ID, { nullable: true, description: 'Only this ticket.' }) _ticketId?: string,
    @Arg('businessId', () => ID, { nullable: true, description: "Only this business's tickets." }) _businessId?: string,
    @Arg('assigneeId', () => ID, { nullable: true, description: 'Only tickets assigned to this user.' }) _assigneeId?: string,
  ): TicketStatusChange {
    return change;
  }

  @Subscription(() => Comment, {
    description: 'New comments the subscriber may read (internal ones only for staff and keys with COMMENTS_INTERNAL).',
    subscribe: ({ args, context }) => {
      const ctx = context as Context;
      const ticketId = optionalIdOf(args.ticketId, 'Ticket', 'ticketId');
      return deliver(ctx.pubSub, ctx, async (scoped, message) => {
        if (message.type !== TicketEventType.COMMENTED || !message.commentId) return null;
        if (ticketId && message.ticketId !== ticketId) return null;
        return visible(scoped.services.comments.get(message.commentId));
      });
    },
  })
  commentAdded(
    @Root() comment: Comment,
    @Arg('ticketId', () => ID, { nullable: true, description: 'Only comments on this ticket.' }) _ticketId?: string,
  ): Comment {
    return comment;
  }
}
