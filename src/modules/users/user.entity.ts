import { Entity, Enum, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { Node } from '../../shared/node';
import { Availability, Role, type StaffRole } from './user.enums';

/** A staff member (admin or agent). Customers log in as contacts, not users. */
@ObjectType({
  implements: Node,
  description:
    'An account. Staff (ADMIN, AGENT) everywhere; a logged-in customer appears as role CUSTOMER in `me` and `login`, with its contact id. ' +
    'Customers, and API keys without TICKETS_READ, see a staff member as a public profile: id, name and role; the other fields are null for them.',
})
@Entity({ tableName: 'app_user' })
export class User extends BaseEntity<'capacity' | 'availability' | 'lastAssignedAt' | 'deactivatedAt' | 'passwordHash'> {
  @Field({ description: 'Full name, as shown to customers on comments.' })
  @Property({ length: 200 })
  name!: string;

  /** Private: shown through UserResolver.email (null to those who may not see the staff directory). */
  @Property({ length: 320, unique: true })
  email!: string;

  @Field(() => Role, { description: 'ADMIN or AGENT for staff; CUSTOMER for a contact.' })
  @Enum({ items: () => Role, type: 'text' })
  role!: StaffRole;

  /** Null until an invited member sets a first password (acceptInvitation): such an account cannot log in. */
  @Property({ type: 'text', nullable: true, hidden: true })
  passwordHash: string | null = null;

  /** Private, like `email`. Most open tickets this agent should hold. */
  @Property({ type: 'integer', default: 20 })
  capacity: number = 20;

  /** Private, like `email`. */
  @Enum({ items: () => Availability, type: 'text', default: Availability.AVAILABLE })
  availability: Availability = Availability.AVAILABLE;

  /** When a ticket was last assigned to this agent: ties go to whoever waited longest (round robin). */
  @Property({ type: 'timestamptz', nullable: true })
  lastAssignedAt: Date | null = null;

  /** Set while the account is deactivated: it cannot log in and its sessions are refused. */
  @Property({ type: 'timestamptz', nullable: true })
  deactivatedAt: Date | null = null;
}
