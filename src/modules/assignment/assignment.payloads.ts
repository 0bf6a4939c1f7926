import { Field, Float, ObjectType } from 'type-graphql';
import { User } from '../users/user.entity';

@ObjectType({ description: 'The parts of a suggestion score, each 0 to 1 before weighting (account manager ×1, expertise ×0.3, workload ×0.2, recency ×0.1).' })
export class AssignmentScoreParts {
  @Field(() => Float, { description: '1 when the agent manages the ticket’s business.' })
  accountManager!: number;

  @Field(() => Float, { description: 'Share of the ticket’s tags the agent has as expertise.' })
  expertise!: number;

  @Field(() => Float, { description: 'Free capacity: 1 − open tickets ÷ capacity.' })
  workload!: number;

  @Field(() => Float, { description: 'Time since the agent’s last assignment, up to an hour (1 = an hour or more, or never).' })
  recency!: number;
}

@ObjectType({ description: 'An agent who could take a ticket, with why.' })
export class AssignmentSuggestion {
  @Field(() => User, { description: 'The agent.' })
  agent!: User;

  @Field(() => Float, { description: 'The weighted score; higher is better. Ties go to the agent assigned least recently.' })
  score!: number;

  @Field(() => AssignmentScoreParts, { description: 'What the score is made of.' })
  parts!: AssignmentScoreParts;

  @Field({ description: 'The reasons in one line, e.g. "Alice: knows billing (1 of 1 tags); 3 of 20 open tickets; last assigned 42 min ago".' })
  reason!: string;
}
