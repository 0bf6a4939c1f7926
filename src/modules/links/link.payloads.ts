import { Field, ObjectType } from 'type-graphql';
import { Ticket } from '../tickets/ticket.entity';
import { TicketRelation } from './link.enums';

@ObjectType({ description: 'A link from a ticket to another, seen from the first.' })
export class TicketLinkView {
  @Field(() => TicketRelation, { description: 'What the ticket whose `links` are read is to `ticket`.' })
  relation!: TicketRelation;

  @Field(() => Ticket, { description: 'The linked ticket.' })
  ticket!: Ticket;

  @Field({ description: 'When the link was made.' })
  linkedAt!: Date;
}

@ObjectType({ description: 'The two tickets after a link or unlink.' })
export class LinkTicketsPayload {
  @Field(() => Ticket, { description: 'The ticket named `ticketId`.' })
  ticket!: Ticket;

  @Field(() => Ticket, { description: 'The ticket named `otherId`.' })
  other!: Ticket;
}
