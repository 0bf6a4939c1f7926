import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';

/** When tickets are assigned automatically (a single row, id 1; admins change it). */
@ObjectType({ description: 'When tickets are assigned automatically.' })
@Entity({ tableName: 'assignment_policy' })
export class AssignmentPolicy {
  [OptionalProps]?: 'updatedAt' | 'id';

  @PrimaryKey({ type: 'smallint' })
  id: number = 1;

  @Field({ description: 'Assign every new ticket that has a business as it is created.' })
  @Property({ fieldName: 'auto_assign_new' })
  autoAssignNewTickets!: boolean;

  @Field({ description: 'Assign a ticket when it is linked to a business (triage).' })
  @Property({ fieldName: 'auto_assign_linked' })
  autoAssignLinkedTickets!: boolean;

  @Field({ description: 'Last change.' })
  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
