import { Field, ID, InputType, Int } from 'type-graphql';
import { LIMITS } from '../../shared/validation';

@InputType({ description: 'A new comment on a ticket.' })
export class AddCommentInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field({ description: `The text, 1 to ${LIMITS.body} characters.` })
  body!: string;

  @Field(() => Boolean, {
    nullable: true,
    description: 'true for a note only the team sees (staff and TICKETS_WRITE keys only); default false: a reply the customer sees.',
  })
  isInternal?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Refuse the comment (CONFLICT) unless the ticket is still at this version.' })
  expectedVersion?: number | null;
}
