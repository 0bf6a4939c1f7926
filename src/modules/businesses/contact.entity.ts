import { Entity, ManyToOne, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { Node } from '../../shared/node';
import { Business } from './business.entity';

/** A person at a business. With a password, the contact logs in as a CUSTOMER. */
@ObjectType({ implements: Node, description: "A person at a business; may log in to follow the business's tickets." })
@Entity()
export class Contact extends BaseEntity<'phone' | 'passwordHash' | 'deactivatedAt'> {
  @ManyToOne(() => Business, { deleteRule: 'cascade' })
  business!: Business;

  @Field({ description: 'Full name.' })
  @Property({ length: 200 })
  name!: string;

  @Field({ description: 'Email address, lower-case and unique.' })
  @Property({ length: 320, unique: true })
  email!: string;

  @Field(() => String, { nullable: true, description: 'Phone number as given.' })
  @Property({ type: 'text', nullable: true })
  phone: string | null = null;

  @Property({ type: 'text', nullable: true, hidden: true })
  passwordHash: string | null = null;

  /** Set while the contact's login is deactivated: it cannot log in and its sessions are refused. */
  @Property({ type: 'timestamptz', nullable: true, hidden: true })
  deactivatedAt: Date | null = null;
}
