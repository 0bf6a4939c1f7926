import { Field, ObjectType } from 'type-graphql';
import { Ticket } from '../tickets/ticket.entity';

@ObjectType({ description: 'The tickets after a merge.' })
export class MergeTicketsPayload {
  @Field(() => Ticket, { description: 'The target, with the sources’ comments, attachments, tags and contacts.' })
  target!: Ticket;

  @Field(() => [Ticket], { description: 'The sources, now CLOSED with `mergedInto` set, in the order given.' })
  sources!: Ticket[];
}

@ObjectType({ description: 'The tickets after an unmerge.' })
export class UnmergeTicketPayload {
  @Field(() => Ticket, { description: 'The restored source: its comments and attachments back, its status as before the merge.' })
  ticket!: Ticket;

  @Field(() => Ticket, { description: 'The ticket it had been merged into.' })
  formerTarget!: Ticket;
}
