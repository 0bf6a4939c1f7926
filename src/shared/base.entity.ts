import { OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { v7 as uuidv7 } from 'uuid';
import { toGlobalId } from './global-id';

/**
 * Every table's key is a UUIDv7: unique across tables (so a global id can name any row) and
 * time-ordered, so ordering by id is ordering by creation within a process.
 */
@ObjectType()
export abstract class BaseEntity<Optional = never> {
  [OptionalProps]?: 'id' | 'createdAt' | 'globalId' | Optional;

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Field({ description: 'When it was created.' })
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  /** The id clients see (the Node interface's `id`): the class name makes it resolvable by `node(id:)`. */
  get globalId(): string {
    return toGlobalId(this.constructor.name, this.id);
  }
}
