import { Entity, Enum, ManyToOne, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { User } from '../users/user.entity';
import { WebhookEventType } from './webhook-event-type';

/** Why an endpoint receives nothing. */
export enum WebhookDisabledReason {
  BY_ADMIN = 'BY_ADMIN',
  GONE = 'GONE',
  FAILING = 'FAILING',
}

registerEnumType(WebhookDisabledReason, {
  name: 'WebhookDisabledReason',
  description: 'Why a webhook endpoint was disabled. `updateWebhook(enabled: true)` enables it again.',
  valuesConfig: {
    BY_ADMIN: { description: 'An admin disabled it.' },
    GONE: { description: 'It answered 410 Gone: the receiver asked for no more messages.' },
    FAILING: { description: 'Every attempt failed for five days (since its last success).' },
  },
});

/**
 * A partner's receiver of signed webhook messages. The signing secret is kept as it is (not a
 * digest): it signs every message, so it must be at hand. It is shown to admins only when created or
 * rotated. After a rotation the previous secret signs too, beside the new one, until
 * `previousSecretExpiresAt`, so the receiver can switch without losing a message.
 */
@ObjectType({ description: 'A URL that receives signed messages (Standard Webhooks) for the event types it subscribes to. Admins only.' })
@Entity({ tableName: 'webhook_endpoint' })
export class WebhookEndpoint extends BaseEntity<
  'description' | 'includeInternal' | 'previousSecret' | 'previousSecretExpiresAt' | 'disabledAt' | 'disabledReason' | 'failingSince' | 'createdBy' | 'updatedAt' | 'enabled' | 'endpointGlobalId'
> {
  @Field(() => ID, { name: 'id', description: 'Opaque id of the endpoint; pass it to updateWebhook, testWebhook and the other webhook mutations.' })
  get endpointGlobalId(): string {
    return this.globalId;
  }

  @Field({ description: 'Where messages are POSTed (http or https; it must not resolve to a private address).' })
  @Property({ type: 'text' })
  url!: string;

  @Field(() => [WebhookEventType], { description: 'The event types sent to it.' })
  @Property({ type: 'text[]' })
  events!: WebhookEventType[];

  @Field(() => String, { nullable: true, description: 'What the endpoint is for.' })
  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Field({
    description:
      'True: it also receives internal comments and internal timeline entries, and internal fields (reasons, resolution notes), ' +
      'as an API key with COMMENTS_INTERNAL reads them. False: it receives nothing about internal content.',
  })
  @Property({ default: false })
  includeInternal: boolean = false;

  @Property({ type: 'text', hidden: true })
  secret!: string;

  /** The secret replaced by the last rotation: it signs beside `secret` until `previousSecretExpiresAt`. */
  @Property({ type: 'text', nullable: true, hidden: true })
  previousSecret: string | null = null;

  @Field(() => Date, {
    nullable: true,
    description: 'After rotateWebhookSecret: until when messages carry a signature by the previous secret as well; null if never rotated.',
  })
  @Property({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'When it was disabled; null while it receives messages.' })
  @Property({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null = null;

  @Field(() => WebhookDisabledReason, { nullable: true, description: 'Why it was disabled; null while enabled.' })
  @Enum({ items: () => WebhookDisabledReason, type: 'text', nullable: true })
  disabledReason: WebhookDisabledReason | null = null;

  @Field(() => Date, {
    nullable: true,
    description: 'The first failed attempt since its last successful one; null while attempts succeed. Disabled once this is five days old.',
  })
  @Property({ type: 'timestamptz', nullable: true })
  failingSince: Date | null = null;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  createdBy: User | null = null;

  @Field({ description: 'When its URL, events, description, includeInternal, state or secret last changed.' })
  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();

  @Field({ description: 'Whether it receives messages now.' })
  get enabled(): boolean {
    return this.disabledAt === null;
  }
}
