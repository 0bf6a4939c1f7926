import { Field, ID, InputType, Int } from 'type-graphql';
import { LIMITS } from '../../shared/validation';
import { ProblemStatus } from './problem.enums';

export const MAX_PROBLEM_TICKETS = 1000;

@InputType({
  description:
    'Tickets picked the way `recurringIssues` groups them: the titles of a title cluster (its `variants`, compared case-blind) or a tag, ' +
    'optionally within a creation period. Exactly one of `titles` and `tag`.',
})
export class ProblemClusterInput {
  @Field(() => [String], { nullable: true, description: 'Titles, e.g. a `TitleCluster.variants` list (1 to 50).' })
  titles?: string[] | null;

  @Field(() => String, { nullable: true, description: 'A tag name, e.g. a `RecurringGroup.label` of the `tags` list.' })
  tag?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only tickets created at or after this instant.' })
  createdAfter?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only tickets created before this instant.' })
  createdBefore?: Date | null;
}

@InputType({ description: 'A new problem and the tickets it explains: exactly one of `ticketIds` and `fromCluster`.' })
export class CreateProblemInput {
  @Field({ description: `One-line name, at most ${LIMITS.title} characters.` })
  title!: string;

  @Field(() => [ID], { nullable: true, description: `The tickets, 1 to ${MAX_PROBLEM_TICKETS}.` })
  ticketIds?: string[] | null;

  @Field(() => ProblemClusterInput, { nullable: true, description: `The tickets of a recurring-issues cluster or tag (at most ${MAX_PROBLEM_TICKETS} may match).` })
  fromCluster?: ProblemClusterInput | null;

  @Field(() => String, { nullable: true, description: `What is known of the cause, at most ${LIMITS.body} characters.` })
  rootCause?: string | null;
}

@InputType({ description: 'Changes to a problem; fields left out stay as they are.' })
export class UpdateProblemInput {
  @Field(() => ID, { description: 'The problem.' })
  problemId!: string;

  @Field(() => String, { nullable: true, description: `New title, at most ${LIMITS.title} characters.` })
  title?: string | null;

  @Field(() => String, { nullable: true, description: `New root-cause note, at most ${LIMITS.body} characters.` })
  rootCause?: string | null;

  @Field(() => ProblemStatus, { nullable: true, description: 'New status; any status may follow any other.' })
  status?: ProblemStatus | null;

  @Field(() => String, {
    nullable: true,
    description:
      `With \`status: FIXED\` only: an external comment (emailed to each customer) written on every linked ticket that is neither resolved, closed nor merged, at most ${LIMITS.body} characters.`,
  })
  customerMessage?: string | null;

  @Field(() => Int, { nullable: true, description: 'The version you last read; CONFLICT when the problem changed since.' })
  expectedVersion?: number | null;
}

@InputType({ description: 'Tickets to add to or remove from a problem.' })
export class ProblemTicketsInput {
  @Field(() => ID, { description: 'The problem.' })
  problemId!: string;

  @Field(() => [ID], { nullable: true, description: 'Tickets to link (already linked ones are left alone).' })
  addTicketIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'Tickets to unlink (ones not linked are left alone).' })
  removeTicketIds?: string[] | null;
}
