import { Entity, Enum, ManyToOne, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { Node } from '../../shared/node';
import { TicketPriority, TicketStatus } from '../tickets/ticket.enums';
import { User } from '../users/user.entity';

/**
 * A named set of ticket actions applied in one step (applyMacro): a comment with placeholders, a
 * status, tags to add and remove, a priority. Personal (`owner` set) or shared with the team
 * (no owner; admins manage those): see access/ownership.ts.
 */
@ObjectType({ implements: Node, description: 'A canned action: a comment with placeholders, a status, tags and a priority, applied to a ticket in one step (applyMacro). Staff only.' })
@Entity()
export class Macro extends BaseEntity<'updatedAt' | 'owner' | 'commentBody' | 'commentInternal' | 'status' | 'priority' | 'addTags' | 'removeTags'> {
  @Field({ description: 'What agents pick it by.' })
  @Property({ length: 200 })
  name!: string;

  /** Shown through MacroResolver.owner and .shared. */
  @ManyToOne(() => User, { nullable: true, deleteRule: 'cascade' })
  owner: User | null = null;

  @Field(() => String, {
    nullable: true,
    description:
      'The comment it writes, with placeholders such as {{contact.name}} or {{ticket.number}} (see createMacro for the list) filled in when applied; null: no comment.',
  })
  @Property({ type: 'text', nullable: true })
  commentBody: string | null = null;

  @Field({ description: 'true: the comment is an internal note for the team; false: a reply the customer sees (and is mailed).' })
  @Property({ default: false })
  commentInternal: boolean = false;

  @Field(() => TicketStatus, { nullable: true, description: 'The status it moves the ticket to (by the status table); null: the status stays.' })
  @Enum({ items: () => TicketStatus, type: 'text', nullable: true })
  status: TicketStatus | null = null;

  @Field(() => TicketPriority, { nullable: true, description: 'The priority it sets; null: the priority stays.' })
  @Enum({ items: () => TicketPriority, type: 'text', nullable: true })
  priority: TicketPriority | null = null;

  @Field(() => [String], { description: 'Tag names it adds.' })
  @Property({ type: 'text[]' })
  addTags: string[] = [];

  @Field(() => [String], { description: 'Tag names it removes.' })
  @Property({ type: 'text[]' })
  removeTags: string[] = [];

  @Field({ description: 'When it was last changed.' })
  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
