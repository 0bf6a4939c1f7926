import { Entity, ManyToOne, OneToOne, OptionalProps, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { Contact } from '../businesses/contact.entity';
import { Ticket } from '../tickets/ticket.entity';

/** A customer's rating of a resolved ticket: one per ticket, never changed. */
@ObjectType({ description: "The customer's rating of how the ticket was handled." })
@Entity()
export class SatisfactionRating {
  [OptionalProps]?: 'comment' | 'ratedAt' | 'contact';

  @OneToOne(() => Ticket, { primary: true, deleteRule: 'cascade', owner: true })
  ticket!: Ticket;

  @Field(() => Int, { description: 'From 1 (very unhappy) to 5 (very happy).' })
  @Property({ type: 'smallint' })
  score!: number;

  @Field(() => String, { nullable: true, description: 'What the customer wrote with the score, if anything.' })
  @Property({ type: 'text', nullable: true })
  comment: string | null = null;

  @Field({ description: 'When the rating was given.' })
  @Property({ type: 'timestamptz' })
  ratedAt: Date = new Date();

  /** The contact who rated; null when rated through the ticket's one-time token. */
  @ManyToOne(() => Contact, { nullable: true, deleteRule: 'set null' })
  contact: Contact | null = null;
}
