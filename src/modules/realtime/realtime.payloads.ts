import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { TicketStatus } from '../tickets/ticket.enums';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';

@ObjectType({ description: 'A ticket changed status. Sent once the change has committed.' })
export class TicketStatusChange {
  @Field(() => ID, { description: 'The id of the timeline entry (a TicketEvent).' })
  eventId!: string;

  @Field(() => Ticket, { description: 'The ticket as it is now.' })
  ticket!: Ticket;

  @Field(() => TicketStatus, { nullable: true, description: 'The status before.' })
  from!: TicketStatus | null;

  @Field(() => TicketStatus, { description: 'The status after.' })
  to!: TicketStatus;

  @Field(() => User, { nullable: true, description: 'The staff member who changed it; null for customers and the system.' })
  actor!: User | null;

  /** Shown through RealtimeResolver's TicketStatusChange.reason, under `reasonInternal`. */
  reason!: string | null;

  /** The reason is for the team only; the move is not. */
  reasonInternal!: boolean;

  @Field({ description: 'When it happened.' })
  at!: Date;
}

@ObjectType({ description: 'A ticket was assigned, reassigned or unassigned. Sent once the change has committed.' })
export class TicketAssignment {
  @Field(() => ID, { description: 'The id of the timeline entry (a TicketEvent).' })
  eventId!: string;

  @Field(() => Ticket, { description: 'The ticket as it is now.' })
  ticket!: Ticket;

  @Field(() => ID, { nullable: true, description: 'The previous assignee (a User id); null when it was unassigned.' })
  fromAssigneeId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The new assignee (a User id); null when unassigned.' })
  toAssigneeId!: string | null;

  @Field(() => User, { nullable: true, description: 'Who made the change; null for integrations and the system.' })
  actor!: User | null;

  @Field({ description: 'When it happened.' })
  at!: Date;
}

@InputType({ description: 'Which timeline entries to receive. Fields combine with AND.' })
export class TicketEventFilter {
  @Field(() => ID, { nullable: true, description: 'Only this ticket.' })
  ticketId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only this business's tickets." })
  businessId?: string | null;

  @Field(() => [String], { nullable: true, description: 'Only these entry types (e.g. STATUS_CHANGED, COMMENTED).' })
  types?: string[] | null;
}
