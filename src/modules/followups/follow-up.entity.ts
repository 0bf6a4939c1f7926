import { Entity, ManyToOne, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { Node } from '../../shared/node';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';

/** A reminder to check back on a resolved ticket, owned by the staff member who scheduled it. */
@ObjectType({ implements: Node, description: 'A reminder to check back with the customer after a ticket was resolved.' })
@Entity({ tableName: 'follow_up' })
export class FollowUp extends BaseEntity<'completedAt' | 'completedBy' | 'completionNote' | 'dueRecordedAt'> {
  @ManyToOne(() => Ticket, { deleteRule: 'cascade' })
  ticket!: Ticket;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  owner!: User;

  @Field({ description: 'When to follow up.' })
  @Property({ type: 'timestamptz' })
  dueAt!: Date;

  @Field({ description: 'What to check.' })
  @Property({ type: 'text' })
  note!: string;

  @Field(() => Date, { nullable: true, description: 'When it was done; null while pending.' })
  @Property({ type: 'timestamptz', nullable: true })
  completedAt: Date | null = null;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  completedBy: User | null = null;

  @Field(() => String, { nullable: true, description: 'What came of it.' })
  @Property({ type: 'text', nullable: true })
  completionNote: string | null = null;

  /** When its FOLLOW_UP_DUE entry was recorded (once, see follow-up-due.job.ts). */
  @Property({ type: 'timestamptz', nullable: true })
  dueRecordedAt: Date | null = null;
}
