import { Entity, ManyToOne, Property } from '@mikro-orm/core';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../../shared/base.entity';
import { Node } from '../../../shared/node';
import { User } from '../user.entity';
import { ApiScope } from './api-scope.enum';

/**
 * An integration's credential. Only a SHA-256 digest of the secret is stored: the key is random
 * (256 bits), so a slow password hash would add latency to every request without adding safety.
 */
@ObjectType({ implements: Node, description: 'An API key for an integration. The secret itself is shown only once, at creation.' })
@Entity()
export class ApiKey extends BaseEntity<'lastUsedAt' | 'revokedAt' | 'previousKeyHash' | 'previousKeyExpiresAt'> {
  @Field({ description: 'What the key is for.' })
  @Property({ length: 200 })
  name!: string;

  @Field({ description: 'The first characters of the key, to tell keys apart.' })
  @Property({ length: 20 })
  prefix!: string;

  @Property({ length: 64, unique: true, hidden: true })
  keyHash!: string;

  @Field(() => [ApiScope], { description: 'What the key may do.' })
  @Property({ type: 'text[]' })
  scopes!: ApiScope[];

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  createdBy!: User;

  @Field(() => Date, { nullable: true, description: 'When a request last used it.' })
  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'When the key was revoked; null while it works. A revoked key is refused and its WebSocket connections are closed.' })
  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  /** The secret replaced by the last rotation: still accepted until `previousKeyExpiresAt`. */
  @Property({ length: 64, nullable: true, hidden: true })
  previousKeyHash: string | null = null;

  @Field(() => Date, {
    name: 'previousSecretExpiresAt',
    nullable: true,
    description: 'After rotateApiKey: when the replaced secret stops (or stopped) being accepted; null if the key was never rotated.',
  })
  @Property({ type: 'timestamptz', nullable: true })
  previousKeyExpiresAt: Date | null = null;
}
