import { Entity, ManyToOne, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { Node } from '../../shared/node';
import { User } from '../users/user.entity';

@ObjectType({ implements: Node, description: 'A customer company. Its contacts see its tickets.' })
@Entity()
export class Business extends BaseEntity<'domain' | 'accountManager'> {
  @Field({ description: 'Company name.' })
  @Property({ length: 200 })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Email domain of its people (example.com), lower-case.' })
  @Property({ type: 'text', nullable: true })
  domain: string | null = null;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  accountManager: User | null = null;
}
