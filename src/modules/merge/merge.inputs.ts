import { Field, ID, InputType, Int } from 'type-graphql';
import { LIMITS } from '../../shared/validation';

export const MAX_MERGE_SOURCES = 20;

@InputType({ description: 'A version a ticket must still be at for the change to go ahead (CONFLICT otherwise).' })
export class ExpectedTicketVersionInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => Int, { description: 'Its `version` as last read.' })
  version!: number;
}

@InputType({ description: 'Tickets to merge into one.' })
export class MergeTicketsInput {
  @Field(() => [ID], { description: `The tickets that close and continue on the target: 1 to ${MAX_MERGE_SOURCES}, none closed or already merged.` })
  sourceIds!: string[];

  @Field(() => ID, { description: 'The ticket the conversation continues on; neither closed nor merged itself.' })
  targetId!: string;

  @Field(() => String, { nullable: true, description: `Why, for the team (kept as the internal reason of the MERGED and MERGED_IN entries), at most ${LIMITS.reason} characters.` })
  note?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Admins only: allow sources of another business than the target. The customers of the target then read the sources’ external comments. ' +
      'Without it such a merge answers BAD_USER_INPUT (field sourceIds).',
  })
  allowAcrossBusinesses?: boolean | null;

  @Field(() => [ExpectedTicketVersionInput], { nullable: true, description: 'Versions the tickets must still be at (any of the sources and the target); CONFLICT otherwise.' })
  expectedVersions?: ExpectedTicketVersionInput[] | null;
}

@InputType({ description: 'A merged ticket to restore.' })
export class UnmergeTicketInput {
  @Field(() => ID, { description: 'The source of the merge (the ticket that was closed by it).' })
  ticketId!: string;
}
