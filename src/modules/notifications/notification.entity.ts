import { Entity, Enum, ManyToOne, Property } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { Node } from '../../shared/node';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';
import { NotificationEvent } from './notification.enums';

/** One in-app notification of one staff member; only that member reads it. */
@ObjectType({ implements: Node, description: 'Something a staff member was notified of, in the app. Only its recipient sees it.' })
@Entity({ tableName: 'notification' })
export class Notification extends BaseEntity<'ticket' | 'details' | 'readAt'> {
  @ManyToOne(() => User, { deleteRule: 'cascade' })
  recipient!: User;

  @Field(() => NotificationEvent, { description: 'What happened.' })
  @Enum({ items: () => NotificationEvent, type: 'text' })
  event!: NotificationEvent;

  /** What it is about and for whom (`entry:<timeline entry>:<recipient>`, …): the same thing is notified once. */
  @Property({ length: 300 })
  key!: string;

  @ManyToOne(() => Ticket, { nullable: true, deleteRule: 'cascade' })
  ticket: Ticket | null = null;

  @Field({ description: 'One line saying what happened, e.g. "#1042 Printer on fire was assigned to you".' })
  @Property({ type: 'text' })
  title!: string;

  @Field(() => GraphQLJSONObject, {
    description: 'Details by event, e.g. { "clock": "RESOLUTION", "dueAt": "…" } for SLA events, { "followUp": id, "note": "…" } for FOLLOW_UP_DUE.',
  })
  @Property({ type: 'jsonb', default: '{}' })
  details: Record<string, unknown> = {};

  @Field(() => Date, { nullable: true, description: 'When it was marked read; null while unread.' })
  @Property({ type: 'timestamptz', nullable: true })
  readAt: Date | null = null;
}
