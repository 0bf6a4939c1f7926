import { Field, ID, InputType, Int } from 'type-graphql';
import { LIMITS } from '../../shared/validation';

@InputType({ description: 'A new business made from an unassigned ticket, which is linked to it.' })
export class CreateBusinessFromTicketInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field({ description: `Company name, 1 to ${LIMITS.name} characters.` })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Email domain of its people, such as example.com.' })
  domain?: string | null;

  @Field(() => Int, { nullable: true, description: 'Refuse the change (CONFLICT) unless the ticket is still at this version.' })
  expectedVersion?: number | null;
}
