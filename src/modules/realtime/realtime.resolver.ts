import { Repeater } from '@graphql-yoga/subscription';
import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../context';
import { unauthenticated } from '../../shared/errors';
import { optionalIdOf } from '../../shared/validation';
import { Comment } from '../comments/comment.entity';
import { TicketEvent, TicketEventType } from '../tickets/ticket-event.entity';
import { TIMELINE_TOPIC, type TimelineMessage } from './pubsub';
import { TicketAssignment, TicketEventFilter, TicketStatusChange } from './realtime.payloads';
import { replayTimeline } from './replay';
import { canSee, matchesFilter, type EntryFilter } from './subscriber-access';
import type { LoadedEntry } from './timeline-loader';

/**
 * Every subscription reads the same stream of committed timeline entries. Each entry is loaded once
 * per instance (TimelineLoader); whether a subscriber receives it is decided by the same pure policies
 * as queries, with that subscriber's actor. Before each message the subscriber's context gets fresh
 * loaders, and a session token that has run out ends the subscription.
 */
function deliver<T>(ctx: Context, build: (entry: LoadedEntry) => T | null): AsyncIterable<T> {
  // One repeater per subscription (not a chain of map and filter): with thousands of subscribers,
  // every promise saved per message counts.
  const source = ctx.pubSub.subscribe(TIMELINE_TOPIC)[Symbol.asyncIterator]();
  return new Repeater<T>(async (push, stop) => {
    void stop.then(() => source.return?.());
    for (;;) {
      const next = await Promise.race([source.next(), stop.then(() => null)]);
      if (!next || next.done) break;
      if (ctx.expiresAt !== undefined && Date.now() >= ctx.expiresAt) throw unauthenticated('The session has expired; log in again.');
      const entry = await ctx.timeline.load(next.value as TimelineMessage);
      const value = entry && canSee(ctx.actor, entry) ? build(entry) : null;
      if (value === null) continue;
      ctx.freshen();
      await push(value);
    }
    stop();
  });
}

@Resolver()
export class RealtimeResolver {
  @Subscription(() => TicketStatusChange, {
    description: 'Status changes of the tickets the subscriber may see, optionally narrowed to one ticket, business or assignee.',
    subscribe: ({ args, context }) => {
      const wanted: EntryFilter = {
        ticketId: optionalIdOf(args.ticketId, 'Ticket', 'ticketId'),
        businessId: optionalIdOf(args.businessId, 'Business', 'businessId'),
        assigneeId: optionalIdOf(args.assigneeId, 'User', 'assigneeId'),
        types: [TicketEventType.STATUS_CHANGED, TicketEventType.AUTO_CLOSED],
      };
      return deliver(context as Context, ({ event, ticket }) =>
        matchesFilter({ event, ticket }, wanted)
          ? { eventId: event.globalId, ticket, from: event.fromStatus, to: event.toStatus!, actor: event.actor, reason: event.reason, at: event.at }
          : null,
      );
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

  @Subscription(() => TicketAssignment, {
    description: 'Assignments, reassignments and unassignments of visible tickets; with assigneeId, those to or from that user.',
    subscribe: ({ args, context }) => {
      const assigneeId = optionalIdOf(args.assigneeId, 'User', 'assigneeId');
      return deliver(context as Context, ({ event, ticket }) => {
        if (event.type !== TicketEventType.ASSIGNED) return null;
        const from = (event.details.from as string | null) ?? null;
        const to = (event.details.to as string | null) ?? null;
        if (assigneeId && ![from, to].includes(args.assigneeId)) return null;
        return { eventId: event.globalId, ticket, fromAssigneeId: from, toAssigneeId: to, actor: event.actor, at: event.at };
      });
    },
  })
  ticketAssigned(
    @Root() assignment: TicketAssignment,
    @Arg('assigneeId', () => ID, { nullable: true, description: 'Only changes that assign this user or take a ticket from them.' }) _assigneeId?: string,
  ): TicketAssignment {
    return assignment;
  }

  @Subscription(() => Comment, {
    description: 'New comments the subscriber may read (internal ones only for staff and keys with COMMENTS_INTERNAL).',
    subscribe: ({ args, context }) => {
      const ticketId = optionalIdOf(args.ticketId, 'Ticket', 'ticketId');
      return deliver(context as Context, ({ event, ticket, comment }) =>
        comment && matchesFilter({ event, ticket }, { ticketId, types: [TicketEventType.COMMENTED] }) ? comment : null,
      );
    },
  })
  commentAdded(
    @Root() comment: Comment,
    @Arg('ticketId', () => ID, { nullable: true, description: 'Only comments on this ticket.' }) _ticketId?: string,
  ): Comment {
    return comment;
  }

  @Subscription(() => TicketEvent, {
    description:
      'Every timeline entry the subscriber may see that matches the filter, in commit order. With `since` (the `cursor` of the last ' +
      'entry received), first replays every matching entry after it, then continues live: nothing missed, nothing twice.',
    subscribe: ({ args, context }) => {
      const ctx = context as Context;
      const input = (args.filter ?? {}) as TicketEventFilter;
      const wanted: EntryFilter = {
        ticketId: optionalIdOf(input.ticketId, 'Ticket', 'filter.ticketId'),
        businessId: optionalIdOf(input.businessId, 'Business', 'filter.businessId'),
        types: input.types ?? null,
      };
      const live = deliver(ctx, ({ event, ticket }) => (matchesFilter({ event, ticket }, wanted) ? event : null));
      return args.since ? replayTimeline(ctx, args.since as string, wanted, live) : live;
    },
  })
  ticketEvents(
    @Root() event: TicketEvent,
    @Arg('filter', () => TicketEventFilter, { nullable: true, description: 'Which entries.' }) _filter?: TicketEventFilter,
    @Arg('since', () => String, { nullable: true, description: 'Resume after this entry `cursor`.' }) _since?: string,
  ): TicketEvent {
    return event;
  }
}
