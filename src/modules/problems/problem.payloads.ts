import { Field, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../shared/pagination';
import { Problem } from './problem.entity';

export const ProblemConnection = Connection(Problem, 'Problem');

@ObjectType({ description: 'The problem after a change.' })
export class ProblemPayload {
  @Field(() => Problem, { description: 'The problem as it is now.' })
  problem!: Problem;
}

@ObjectType({ description: 'One row of the tickets-per-problem report.' })
export class ProblemTicketCountRow {
  @Field(() => Problem, { description: 'The problem.' })
  problem!: Problem;

  @Field(() => Int, { description: 'Tickets linked to it, whatever their status.' })
  tickets!: number;

  @Field(() => Int, { description: 'Of those, the ones neither resolved, closed nor merged.' })
  openTickets!: number;
}
