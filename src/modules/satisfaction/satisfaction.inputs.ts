import { Field, ID, InputType, Int } from 'type-graphql';
import { LIMITS } from '../../shared/validation';

@InputType({ description: 'A rating of a resolved ticket.' })
export class RateTicketInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => Int, { description: 'From 1 (very unhappy) to 5 (very happy).' })
  score!: number;

  @Field(() => String, { nullable: true, description: `Anything the customer wants to add, at most ${LIMITS.body} characters.` })
  comment?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The ticket's one-time `satisfactionToken` (from the resolution mail), for a submitter without a login.",
  })
  token?: string | null;
}
