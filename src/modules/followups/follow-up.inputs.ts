import { Field, ID, InputType } from 'type-graphql';
import { LIMITS } from '../../shared/validation';

@InputType({ description: 'A follow-up on a resolved (or closed) ticket.' })
export class ScheduleFollowUpInput {
  @Field(() => ID, { description: 'The ticket; it must be RESOLVED or CLOSED.' })
  ticketId!: string;

  @Field({ description: 'When to follow up; in the future.' })
  dueAt!: Date;

  @Field({ description: `What to check, 1 to ${LIMITS.reason} characters.` })
  note!: string;
}

@InputType({ description: 'Marks a follow-up done.' })
export class CompleteFollowUpInput {
  @Field(() => ID, { description: 'The follow-up.' })
  followUpId!: string;

  @Field(() => String, { nullable: true, description: `What came of it, at most ${LIMITS.reason} characters.` })
  note?: string | null;
}
