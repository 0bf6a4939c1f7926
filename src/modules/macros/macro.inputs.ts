import { Field, ID, InputType, Int } from 'type-graphql';
import { LIMITS } from '../../shared/validation';
import { TicketPriority, TicketStatus } from '../tickets/ticket.enums';
import { PLACEHOLDERS } from './placeholders';

const PLACEHOLDER_LIST = PLACEHOLDERS.map((name) => `{{${name}}}`).join(', ');

@InputType({ description: 'A macro’s name and actions.' })
abstract class MacroFields {
  @Field({ description: `What agents pick it by, 1 to ${LIMITS.name} characters.` })
  name!: string;

  @Field(() => String, {
    nullable: true,
    description:
      `The comment it writes, at most ${LIMITS.body} characters, with placeholders filled in when applied: ${PLACEHOLDER_LIST} ` +
      '(agent is the staff member applying it; a value the agent may not see, or that the ticket lacks, is left empty). ' +
      'Any other {{…}} is refused (BAD_USER_INPUT naming it).',
  })
  commentBody?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true: the comment is an internal note; default false: a reply the customer sees.' })
  commentInternal?: boolean | null;

  @Field(() => TicketStatus, {
    nullable: true,
    description: 'Move the ticket to this status when applied (by the status table; a move that needs a reason gets "Macro: <name>" as an internal one).',
  })
  status?: TicketStatus | null;

  @Field(() => TicketPriority, { nullable: true, description: 'Set this priority when applied.' })
  priority?: TicketPriority | null;

  @Field(() => [String], { nullable: true, description: 'Tag names to add when applied.' })
  addTags?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Tag names to remove when applied; a name may not be in both lists.' })
  removeTags?: string[] | null;
}

@InputType({ description: 'A new macro; it needs at least one action (a comment, a status, a priority or tags).' })
export class CreateMacroInput extends MacroFields {
  @Field(() => Boolean, { nullable: true, description: 'true: shared with every staff member (admins only); default false: personal to you.' })
  shared?: boolean | null;
}

@InputType({ description: 'Replaces a macro’s name and actions (omitted actions are removed). Your own macros; shared ones for admins.' })
export class UpdateMacroInput extends MacroFields {
  @Field(() => ID, { description: 'The macro.' })
  macroId!: string;
}

@InputType({ description: 'Names a macro.' })
export class MacroRefInput {
  @Field(() => ID, { description: 'The macro.' })
  macroId!: string;
}

@InputType({ description: 'Applies a macro to a ticket.' })
export class ApplyMacroInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field(() => ID, { description: 'A macro you may use: a shared one or your own.' })
  macroId!: string;

  @Field(() => Int, { nullable: true, description: 'Refuse (CONFLICT) unless the ticket is still at this version.' })
  expectedVersion?: number | null;
}
