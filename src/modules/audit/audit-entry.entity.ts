import { Entity, Enum, Property } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { AuditAction, AuditActorType } from './audit.enums';

/** The kinds of object an audit entry can be about (their GraphQL type names). */
export type AuditTargetType = 'User' | 'Contact' | 'ApiKey' | 'WebhookEndpoint';

/** One admin or security action. Written in the same transaction as the change it records. */
@ObjectType({ description: 'One admin or security action: who did what to which account or key, when, and from where.' })
@Entity()
export class AuditEntry extends BaseEntity<'actorId' | 'actorName' | 'targetType' | 'targetId' | 'targetName' | 'clientAddress' | 'details'> {
  @Field(() => AuditAction, { description: 'What was done.' })
  @Enum({ items: () => AuditAction, type: 'text' })
  action!: AuditAction;

  @Field(() => AuditActorType, { description: 'The kind of actor.' })
  @Enum({ items: () => AuditActorType, type: 'text' })
  actorType!: AuditActorType;

  @Property({ type: 'uuid', nullable: true })
  actorId: string | null = null;

  @Field(() => String, { nullable: true, description: 'The name of the staff member, contact or API key who acted, as it was then.' })
  @Property({ length: 320, nullable: true })
  actorName: string | null = null;

  @Field(() => String, { nullable: true, description: 'The type of the object acted on: User, Contact, ApiKey or WebhookEndpoint; null when none.' })
  @Property({ length: 20, nullable: true })
  targetType: AuditTargetType | null = null;

  @Property({ type: 'uuid', nullable: true })
  targetId: string | null = null;

  @Field(() => String, { nullable: true, description: 'The name (or email) of the object acted on, as it was then.' })
  @Property({ length: 320, nullable: true })
  targetName: string | null = null;

  @Field(() => String, { nullable: true, description: 'The client address of the request (the forwarded one behind a trusted proxy).' })
  @Property({ length: 100, nullable: true })
  clientAddress: string | null = null;

  @Field(() => GraphQLJSONObject, { description: 'Details of the action, e.g. { "role": { "from": "ADMIN", "to": "AGENT" } }.' })
  @Property({ type: 'jsonb' })
  details: Record<string, unknown> = {};
}
