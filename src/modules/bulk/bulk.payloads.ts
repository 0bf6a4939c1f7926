import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Ticket } from '../tickets/ticket.entity';

@ObjectType({ description: 'What happened to one ticket of a bulk update.' })
export class BulkTicketResult {
  @Field(() => ID, { description: 'The ticket id, as given in `ticketIds`.' })
  ticketId!: string;

  @Field({ description: 'true: every change was made (and committed); false: none was, see `errorCode`.' })
  ok!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Why the ticket was left unchanged: the code its single-ticket mutation would answer (NOT_FOUND, INVALID_TRANSITION, CONFLICT, BAD_USER_INPUT, …).',
  })
  errorCode!: string | null;

  @Field(() => String, { nullable: true, description: 'The error message, for people.' })
  errorMessage!: string | null;

  @Field(() => Ticket, { nullable: true, description: 'The ticket as it is now, when ok.' })
  ticket!: Ticket | null;
}

@ObjectType({ description: 'The answer of bulkUpdateTickets: one result per ticket, in the order of `ticketIds`.' })
export class BulkUpdateTicketsPayload {
  @Field(() => [BulkTicketResult], { description: 'One per requested ticket.' })
  results!: BulkTicketResult[];

  @Field(() => Int, { description: 'How many tickets were changed.' })
  succeeded!: number;

  @Field(() => Int, { description: 'How many were left unchanged.' })
  failed!: number;
}
