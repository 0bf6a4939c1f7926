import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { toGlobalId } from '../../shared/global-id';
import { DeliveryStatus, type Delivery } from '../deliveries/delivery.entity';
import type { WebhookDeliveryPayload } from './webhook-message';

// The outbox's statuses, as the webhook API names and explains them.
registerEnumType(DeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a webhook message stands.',
  valuesConfig: {
    PENDING: { description: 'Waiting for its next attempt (see `nextAttemptAt`), or being attempted now.' },
    DELIVERED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Given up: the endpoint answered 410 or was disabled, the retry schedule ran out, or the message held internal content the endpoint no longer receives.' },
    CANCELLED: { description: 'Dropped while waiting: its endpoint was disabled or deleted, or stopped receiving internal content.' },
  },
});

/** A delivery of the outbox seen as one webhook message and its attempts. */
@ObjectType({ description: 'One message to a webhook endpoint and how its attempts went. Every retry and redelivery sends the same `webhookId`.' })
export class WebhookDelivery {
  @Field(() => ID, { description: 'Opaque id; pass it to redeliverWebhookDelivery.' })
  id!: string;

  @Field({ description: 'The `webhook-id` header of every attempt of this message: receivers drop repeats by it.' })
  webhookId!: string;

  @Field({ description: 'The message `type`: a WebhookEventType, or PING for testWebhook.' })
  eventType!: string;

  @Field(() => DeliveryStatus, { description: 'Where it stands.' })
  status!: DeliveryStatus;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts!: number;

  @Field(() => Int, { nullable: true, description: "The HTTP status of the last attempt's answer; null before any answer (or when none came: timeout, refused connection)." })
  responseCode!: number | null;

  @Field(() => Int, { nullable: true, description: 'How long the last attempt took, in milliseconds.' })
  durationMs!: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why the last attempt failed (for an HTTP error, the status and the first part of the answer); null after a success.',
  })
  lastError!: string | null;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due; null unless PENDING.' })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the last attempt started.' })
  lastAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the endpoint accepted it.' })
  deliveredAt!: Date | null;

  @Field({ description: 'When the message was composed (right after the change it reports).' })
  createdAt!: Date;

  static from(delivery: Delivery): WebhookDelivery {
    return Object.assign(new WebhookDelivery(), {
      id: toGlobalId('WebhookDelivery', delivery.id),
      webhookId: delivery.id,
      eventType: (delivery.payload as unknown as WebhookDeliveryPayload).message.type,
      status: delivery.status,
      attempts: delivery.attempts,
      responseCode: delivery.responseCode,
      durationMs: delivery.durationMs,
      lastError: delivery.lastError,
      nextAttemptAt: delivery.status === DeliveryStatus.PENDING ? delivery.nextAttemptAt : null,
      lastAttemptAt: delivery.lastAttemptAt,
      deliveredAt: delivery.deliveredAt,
      createdAt: delivery.createdAt,
    });
  }
}
