import { Entity, Enum, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { Node } from '../../shared/node';
import { Role, type StaffRole } from './user.enums';

/** A staff member (admin or agent). Customers log in as contacts, not users. */
@ObjectType({
  implements: Node,
  description: 'An account. Staff (ADMIN, AGENT) everywhere; a logged-in customer appears as role CUSTOMER in `me` and `login`, with its contact id.',
})
@Entity({ tableName: 'app_user' })
export class User extends BaseEntity {
  @Field({ description: 'Full name, as shown to customers on comments.' })
  @Property({ length: 200 })
  name!: string;

  @Field({ description: 'Login email, lower-case and unique.' })
  @Property({ length: 320, unique: true })
  email!: string;

  @Field(() => Role, { description: 'ADMIN or AGENT for staff; CUSTOMER for a contact.' })
  @Enum({ items: () => Role, type: 'text' })
  role!: StaffRole;

  @Property({ hidden: true })
  passwordHash!: string;
}
