import { Field, ID, InputType, Int } from 'type-graphql';
import { LIMITS } from '../../shared/validation';
import { OrderDirection, TicketChannel, TicketOrderField, TicketPriority, TicketStatus } from './ticket.enums';

const EXPECTED_VERSION = 'Refuse the change (CONFLICT) unless the ticket is still at this version.';
const NOTIFY = 'true: the reason becomes a comment the customer sees; default false: an internal note for the team.';

@InputType({ description: 'Narrows a list of tickets. Fields combine with AND; list fields match any of their values.' })
export class TicketFilter {
  @Field(() => [TicketStatus], { nullable: true, description: 'Any of these statuses.' })
  status?: TicketStatus[] | null;

  @Field(() => [TicketPriority], { nullable: true, description: 'Any of these priorities.' })
  priority?: TicketPriority[] | null;

  @Field(() => ID, { nullable: true, description: 'Assigned to this user.' })
  assigneeId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Linked to this business.' })
  businessId?: string | null;

  @Field(() => [String], { nullable: true, description: 'Carrying any of these tags (names, case ignored).' })
  tags?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'true: only overdue tickets; false: only tickets that are not overdue.' })
  overdue?: boolean | null;

  @Field(() => String, { nullable: true, description: `Words found in the title or description, case ignored (at most ${LIMITS.search} characters).` })
  search?: string | null;

  @Field(() => Date, { nullable: true, description: 'Created at or after this instant.' })
  createdAfter?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Created before this instant.' })
  createdBefore?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'Changed (any change that grows `version`) at or after this instant: with `orderBy: { field: UPDATED_AT, direction: ASC }`, the way to poll for changes.',
  })
  updatedAfter?: Date | null;
}

@InputType({ description: 'Sort order of a list of tickets. Ties are broken by id, so pages never overlap.' })
export class TicketOrder {
  @Field(() => TicketOrderField, { description: 'What to sort by. DUE_AT puts tickets without a due date last.' })
  field!: TicketOrderField;

  @Field(() => OrderDirection, { description: 'ASC or DESC.' })
  direction!: OrderDirection;
}

@InputType({ description: 'The public web form.' })
export class SubmitTicketInput {
  @Field({ description: `Summary, 1 to ${LIMITS.title} characters.` })
  title!: string;

  @Field({ description: `The request, 1 to ${LIMITS.body} characters.` })
  description!: string;

  @Field({ description: "The submitter's name." })
  name!: string;

  @Field({ description: "The submitter's email, where answers go." })
  email!: string;

  @Field(() => String, { nullable: true, description: 'The company the submitter works for, if any.' })
  companyName?: string | null;

  @Field(() => String, { nullable: true, description: 'A phone number to call back.' })
  phone?: string | null;
}

@InputType({ description: 'A ticket opened by staff (phone, on behalf of a customer) or an integration.' })
export class CreateTicketInput {
  @Field({ description: `Summary, 1 to ${LIMITS.title} characters.` })
  title!: string;

  @Field({ description: `The request, 1 to ${LIMITS.body} characters.` })
  description!: string;

  @Field(() => TicketPriority, { nullable: true, description: 'Default MEDIUM.' })
  priority?: TicketPriority | null;

  @Field(() => TicketChannel, { nullable: true, description: 'Default STAFF for staff, API for API keys.' })
  channel?: TicketChannel | null;

  @Field(() => ID, { nullable: true, description: 'The business it is for; with one the ticket starts OPEN, without one UNASSIGNED.' })
  businessId?: string | null;

  @Field(() => ID, { nullable: true, description: "The contact it is for; implies the contact's business." })
  contactId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Staff member to assign.' })
  assigneeId?: string | null;

  @Field(() => [String], { nullable: true, description: `Tag names (created when new), at most ${LIMITS.tagsPerTicket}.` })
  tags?: string[] | null;

  @Field(() => Date, { nullable: true, description: 'Due date set by hand; not in the past, at most 10 years from now.' })
  dueAt?: Date | null;

  @Field(() => String, { nullable: true, description: "Requester's name when no contact is known yet." })
  submitterName?: string | null;

  @Field(() => String, { nullable: true, description: "Requester's email when no contact is known yet." })
  submitterEmail?: string | null;

  @Field(() => String, { nullable: true, description: "Requester's company name when no business is linked yet." })
  submittedCompanyName?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'MONITORING tickets: the alert key. While the ticket you opened with this key is not closed, the same alert from you adds an ' +
      'internal comment to it and counts an occurrence instead of opening a new ticket. Keys are per caller: another API key sending ' +
      'the same key opens its own ticket.',
  })
  dedupKey?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Any caller may pass a unique key per intended ticket: a retry with the same key returns the first result instead of a duplicate.',
  })
  idempotencyKey?: string | null;
}

@InputType({ description: 'Changes to the fields of a ticket. Omitted fields stay as they are.' })
export class UpdateTicketInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => String, { nullable: true, description: 'New summary.' })
  title?: string | null;

  @Field(() => String, { nullable: true, description: 'New description.' })
  description?: string | null;

  @Field(() => TicketPriority, { nullable: true, description: 'New priority.' })
  priority?: TicketPriority | null;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION })
  expectedVersion?: number | null;
}

@InputType({ description: 'Who should work on a ticket.' })
export class AssignTicketInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => ID, { nullable: true, description: 'A staff member; null unassigns.' })
  assigneeId?: string | null;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION })
  expectedVersion?: number | null;
}

@InputType({ description: 'Replaces the tags of a ticket.' })
export class SetTicketTagsInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => [String], { description: `The complete new set of tag names (created when new), at most ${LIMITS.tagsPerTicket}.` })
  tags!: string[];

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION })
  expectedVersion?: number | null;
}

@InputType({ description: 'Links a ticket to the business (and contact) it is about.' })
export class LinkTicketInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => ID, { description: 'The business.' })
  businessId!: string;

  @Field(() => ID, { nullable: true, description: 'A contact of that business.' })
  contactId?: string | null;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION })
  expectedVersion?: number | null;
}

@InputType({ description: 'Moves a ticket to another status (see the status table of the API guide).' })
export class ChangeTicketStatusInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => TicketStatus, { description: 'The new status; `Ticket.availableTransitions` lists the allowed ones.' })
  status!: TicketStatus;

  @Field(() => String, {
    nullable: true,
    description: `Why: required for the waiting statuses, for reopening and (as resolution notes) for RESOLVED; at most ${LIMITS.reason} characters.`,
  })
  reason?: string | null;

  @Field(() => Boolean, { nullable: true, description: NOTIFY })
  notifyCustomer?: boolean | null;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION })
  expectedVersion?: number | null;
}

@InputType({ description: 'Resolves a ticket in progress, documenting the solution.' })
export class ResolveTicketInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field({ description: `How it was solved, at most ${LIMITS.body} characters.` })
  resolutionNotes!: string;

  @Field(() => Boolean, { nullable: true, description: NOTIFY })
  notifyCustomer?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Staff: also resolve the open children of this ticket (PARENT_OF links) with the same notes, in the same transaction (`notifyCustomer` applies to each). ' +
      'Default false: the children are only listed in `openChildren`.',
  })
  resolveChildren?: boolean | null;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION })
  expectedVersion?: number | null;
}

@InputType({ description: 'Names a ticket.' })
export class TicketRefInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION })
  expectedVersion?: number | null;
}

@InputType({ description: 'Reopens a resolved ticket.' })
export class ReopenTicketInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field({ description: `Why the solution did not hold, at most ${LIMITS.reason} characters.` })
  reason!: string;

  @Field(() => Boolean, { nullable: true, description: `${NOTIFY} A customer's own reason is always visible to it.` })
  notifyCustomer?: boolean | null;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION })
  expectedVersion?: number | null;
}

@InputType({ description: 'Sets the due date by hand.' })
export class SetTicketDueDateInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => Date, { description: 'The new due date; not before the ticket was created, at most 10 years from now.' })
  dueAt!: Date;

  @Field({ description: `Why the date changes (kept on the timeline for the team), at most ${LIMITS.reason} characters.` })
  justification!: string;

  @Field(() => Int, { nullable: true, description: EXPECTED_VERSION })
  expectedVersion?: number | null;
}
