import { Field, ID, InputType } from 'type-graphql';
import { TicketLinkKind } from './link.enums';

@InputType({ description: 'Two tickets to link.' })
export class LinkTicketsInput {
  @Field(() => ID, { description: 'The ticket the kind is said of.' })
  ticketId!: string;

  @Field(() => ID, { description: 'The other ticket.' })
  otherId!: string;

  @Field(() => TicketLinkKind, { description: 'What `ticketId` is to `otherId`.' })
  kind!: TicketLinkKind;
}

@InputType({ description: 'Two linked tickets to unlink.' })
export class UnlinkTicketsInput {
  @Field(() => ID, { description: 'One of the two tickets.' })
  ticketId!: string;

  @Field(() => ID, { description: 'The other one.' })
  otherId!: string;
}
