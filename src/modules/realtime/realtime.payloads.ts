import { Field, ID, ObjectType } from 'type-graphql';
import { TicketStatus } from '../tickets/ticket.enums';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';

@ObjectType({ description: 'A ticket changed status. Sent once the change has committed.' })
export class TicketStatusChange {
  @Field(() => ID, { description: 'The id of the timeline entry (a TicketEvent).' })
  eventId!: string;

  @Field(() => Ticket, { description: 'The ticket as it is now, read with the subscriber’s permissions.' })
  ticket!: Ticket;

  @Field(() => TicketStatus, { nullable: true, description: 'The status before.' })
  from!: TicketStatus | null;

  @Field(() => TicketStatus, { description: 'The status after.' })
  to!: TicketStatus;

  @Field(() => User, { nullable: true, description: 'The staff member who changed it; null for customers and the system.' })
  actor!: User | null;

  @Field(() => String, { nullable: true, description: 'Why, when a reason was given and the subscriber may read it.' })
  reason!: string | null;

  @Field({ description: 'When it happened.' })
  at!: Date;
}
