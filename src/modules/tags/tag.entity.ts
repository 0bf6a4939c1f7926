import { Entity, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { Node } from '../../shared/node';

/** A label on tickets. Names are unique without regard to case (a unique index on lower(name)). */
@ObjectType({ implements: Node, description: 'A label that categorizes tickets. Names are unique, ignoring case.' })
@Entity()
export class Tag extends BaseEntity {
  @Field({ description: 'The name as first written.' })
  @Property({ length: 50 })
  name!: string;
}
