import { Field, ID, InputType, Int } from 'type-graphql';
import { Availability } from '../users/user.enums';

@InputType({ description: "An agent's areas of expertise, as tag names (replaces the current set)." })
export class SetAgentExpertiseInput {
  @Field(() => ID, { description: 'The agent (admins may set anyone; agents themselves).' })
  userId!: string;

  @Field(() => [String], { description: 'Tag names; unknown ones are created.' })
  tags!: string[];
}

@InputType({ description: "An agent's availability." })
export class SetAvailabilityInput {
  @Field(() => Availability, { description: 'AVAILABLE or AWAY.' })
  availability!: Availability;

  @Field(() => ID, { nullable: true, description: 'The agent; default the signed-in one (admins may set anyone).' })
  userId?: string | null;
}

@InputType({ description: "An agent's capacity." })
export class SetAgentCapacityInput {
  @Field(() => ID, { description: 'The agent.' })
  userId!: string;

  @Field(() => Int, { description: 'Most open tickets, 0 to 1000.' })
  capacity!: number;
}

@InputType({ description: 'When tickets are assigned automatically. Omitted fields stay as they are.' })
export class UpdateAssignmentPolicyInput {
  @Field(() => Boolean, { nullable: true, description: 'Assign every new ticket that has a business.' })
  autoAssignNewTickets?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Assign tickets when they are linked to a business.' })
  autoAssignLinkedTickets?: boolean | null;
}

@InputType({ description: 'The ticket to assign automatically.' })
export class AutoAssignTicketInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => Int, { nullable: true, description: 'Refuse the change (CONFLICT) unless the ticket is still at this version.' })
  expectedVersion?: number | null;
}
