import { Entity, Enum, ManyToOne, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { Node } from '../../shared/node';
import { Contact } from '../businesses/contact.entity';
import { EmailCheck } from '../intake/email-check.enum';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';

/**
 * A message on a ticket. Internal comments are for the team only: every query that reads comments
 * adds the visibility condition of `comment.policy.ts`, so a viewer who may not see them never fetches them.
 */
@ObjectType({ implements: Node, description: 'A message on a ticket. Internal ones are visible to the team only.' })
@Entity()
export class Comment extends BaseEntity<'author' | 'authorContact' | 'emailCheck'> {
  @ManyToOne(() => Ticket, { deleteRule: 'cascade' })
  ticket!: Ticket;

  @Field({ description: 'The text, as plain text.' })
  @Property({ type: 'text' })
  body!: string;

  @Field({ description: 'True for a note the customer never sees; false for a reply visible to (and emailed to) the customer.' })
  @Property({ default: false })
  isInternal!: boolean;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  author: User | null = null;

  @ManyToOne(() => Contact, { nullable: true, deleteRule: 'set null' })
  authorContact: Contact | null = null;

  @Field({ description: 'Name of whoever wrote it (staff member, contact, integration or submitter), kept as written.' })
  @Property({ length: 200 })
  authorName!: string;

  @Field(() => EmailCheck, {
    nullable: true,
    description: 'Set on an internal note kept from an inbound email that could not act as its sender: why. Null on every other comment.',
  })
  @Enum({ items: () => EmailCheck, type: 'text', nullable: true })
  emailCheck: EmailCheck | null = null;
}
