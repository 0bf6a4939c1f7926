import { Field, ID, InputType, Int } from 'type-graphql';
import { LIMITS } from '../../shared/validation';
import { TicketPriority, TicketStatus } from '../tickets/ticket.enums';

/** Tickets one bulkUpdateTickets may change. */
export const BULK_LIMIT = 100;

@InputType({ description: 'The version a ticket must still be at for bulkUpdateTickets to change it.' })
export class TicketVersionInput {
  @Field(() => ID, { description: 'The ticket (one of `ticketIds`).' })
  ticketId!: string;

  @Field(() => Int, { description: 'Refuse this ticket (CONFLICT in its result) unless it is still at this version.' })
  version!: number;
}

@InputType({
  description:
    'The same changes to many tickets. Omitted fields stay as they are; at least one change is needed. Every change obeys the rules ' +
    'of its single-ticket mutation (changeTicketStatus, assignTicket, updateTicket, setTicketTags).',
})
export class BulkUpdateTicketsInput {
  @Field(() => [ID], { description: `The tickets, 1 to ${BULK_LIMIT}, each at most once.` })
  ticketIds!: string[];

  @Field(() => TicketStatus, {
    nullable: true,
    description: 'Move each ticket to this status (tickets already in it are left as they are); moves the status table refuses fail that ticket with INVALID_TRANSITION.',
  })
  status?: TicketStatus | null;

  @Field(() => String, {
    nullable: true,
    description: `The reason for the move, as in changeTicketStatus (required for the waiting statuses, reopening and, as resolution notes, RESOLVED); at most ${LIMITS.reason} characters (${LIMITS.body} for RESOLVED). An internal note for the team.`,
  })
  reason?: string | null;

  @Field(() => ID, { nullable: true, description: 'Assign this staff member.' })
  assigneeId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: unassign (not together with assigneeId).' })
  unassign?: boolean | null;

  @Field(() => TicketPriority, { nullable: true, description: 'Set this priority (the SLA due dates follow it).' })
  priority?: TicketPriority | null;

  @Field(() => [String], { nullable: true, description: 'Tag names to add (created when new).' })
  addTags?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Tag names to remove (case ignored); a name may not be in both lists.' })
  removeTags?: string[] | null;

  @Field(() => [TicketVersionInput], { nullable: true, description: 'Optimistic concurrency per ticket; tickets not named here are changed whatever their version.' })
  expectedVersions?: TicketVersionInput[] | null;
}
