import { Arg, Ctx, FieldResolver, ID, Resolver, Root, Subscription } from 'type-graphql';
import { seesReason } from '../access/visibility';
import type { Context } from '../../context';
import { optionalIdOf } from '../../shared/validation';
import { Comment } from '../comments/comment.entity';
import { TicketEvent, TicketEventType } from '../tickets/ticket-event.entity';
import { TicketAssignment, TicketEventFilter, TicketStatusChange } from './realtime.payloads';
import { replayTimeline } from './replay';
import { matchesFilter, type EntryFilter } from './subscriber-access';
import { perEntry } from './timeline-hub';

/**
 * Every subscription is a feed of the instance's one stream of committed timeline entries (see
 * TimelineHub): whether a subscriber receives an entry is decided by the same pure policies as
 * queries, with that subscriber's actor, then by its arguments. Payloads are built once per entry
 * (perEntry), so subscribers that may see them share one object, and with it one execution.
 */
const statusChangeOf = perEntry(({ event, ticket }): TicketStatusChange => ({
  eventId: event.globalId,
  ticket,
  from: event.fromStatus,
  to: event.toStatus!,
  actor: event.actor,
  reason: event.reason,
  reasonInternal: event.reasonInternal,
  at: event.at,
}));

const assignmentOf = perEntry(({ event, ticket }): TicketAssignment => ({
  eventId: event.globalId,
  ticket,
  fromAssigneeId: (event.details.from as string | null) ?? null,
  toAssigneeId: (event.details.to as string | null) ?? null,
  actor: event.actor,
  at: event.at,
}));

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
      const ctx = context as Context;
      return ctx.timeline.feed(ctx, (entry) => (matchesFilter(entry, wanted) ? statusChangeOf(entry) : null));
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
      const ctx = context as Context;
      return ctx.timeline.feed(ctx, (entry) => {
        if (entry.event.type !== TicketEventType.ASSIGNED) return null;
        const assignment = assignmentOf(entry);
        return assigneeId && ![assignment.fromAssigneeId, assignment.toAssigneeId].includes(args.assigneeId) ? null : assignment;
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
      const ctx = context as Context;
      return ctx.timeline.feed(ctx, (entry) => (entry.comment && matchesFilter(entry, { ticketId, types: [TicketEventType.COMMENTED] }) ? entry.comment : null));
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
      const live = ctx.timeline.feed(ctx, (entry) => (matchesFilter(entry, wanted) ? entry.event : null));
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

/**
 * Payloads are shared by every subscriber of an entry (perEntry); what differs per viewer is resolved
 * here, under the same rule as the timeline entry's own field. Executions are shared per access class
 * only (accessClassOf), and `seesReason` looks at nothing else.
 */
@Resolver(() => TicketStatusChange)
export class TicketStatusChangeResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: 'Why, when a reason was given. A reason for the team only is null for viewers who may not read internal content; the move itself reaches them.',
  })
  reason(@Root() change: TicketStatusChange, @Ctx() ctx: Context): string | null {
    return seesReason(ctx.actor, change) ? change.reason : null;
  }
}
