import { Field, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../shared/pagination';
import { TicketEvent } from './ticket-event.entity';
import { Ticket } from './ticket.entity';

export const TicketConnection = Connection(Ticket, 'Ticket');
export const TicketEventConnection = Connection(TicketEvent, 'TicketEvent');

@ObjectType({ description: 'The ticket after a change.' })
export class TicketPayload {
  @Field(() => Ticket, { description: 'The ticket as it is now.' })
  ticket!: Ticket;

  @Field(() => [Ticket], {
    nullable: true,
    description: 'resolveTicket only (null elsewhere): the children of the ticket (PARENT_OF links) still neither resolved nor closed, those the viewer may see.',
  })
  openChildren?: Ticket[] | null;

  @Field(() => [Ticket], { nullable: true, description: 'resolveTicket with `resolveChildren` only (null elsewhere): the children resolved with it.' })
  resolvedChildren?: Ticket[] | null;
}

@ObjectType({ description: 'What a web-form submitter gets back: enough to quote, nothing more.' })
export class SubmitTicketPayload {
  @Field(() => Int, { description: 'The ticket number (#1042).' })
  ticketNumber!: number;

  @Field({ description: 'A reference to quote in later contact, such as TG-1042-K7QF.' })
  reference!: string;
}
