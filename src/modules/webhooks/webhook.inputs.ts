import { Field, ID, InputType, Int } from 'type-graphql';
import { WebhookEventType } from './webhook-event-type';

@InputType({ description: 'A new webhook endpoint.' })
export class CreateWebhookInput {
  @Field({ description: 'Where to POST messages: http or https, at most 2000 characters, resolving to public addresses only.' })
  url!: string;

  @Field(() => [WebhookEventType], { description: 'The event types to send; at least one.' })
  events!: WebhookEventType[];

  @Field(() => String, { nullable: true, description: 'What the endpoint is for (at most 500 characters).' })
  description?: string | null;

  @Field(() => Boolean, {
    defaultValue: false,
    description: 'true: also send internal comments and internal timeline entries, with internal fields. Default false.',
  })
  includeInternal!: boolean;
}

@InputType({ description: 'Changes to a webhook endpoint; fields left out stay as they are.' })
export class UpdateWebhookInput {
  @Field(() => ID, { description: 'The endpoint.' })
  webhookId!: string;

  @Field(() => String, { nullable: true, description: 'New URL (checked as in createWebhook).' })
  url?: string | null;

  @Field(() => [WebhookEventType], { nullable: true, description: 'New event types; at least one.' })
  events?: WebhookEventType[] | null;

  @Field(() => String, { nullable: true, description: 'New description; an empty string clears it.' })
  description?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Whether to send internal content. Turning it off cancels the messages still waiting (composed with internal content) and refuses to redeliver earlier ones.',
  })
  includeInternal?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'false: disable it (messages still waiting are cancelled); true: enable it again (its failure record starts over).',
  })
  enabled?: boolean | null;
}

@InputType({ description: 'A webhook endpoint to act on.' })
export class WebhookIdInput {
  @Field(() => ID, { description: 'The endpoint.' })
  webhookId!: string;
}

@InputType({ description: 'A webhook endpoint to give a new signing secret.' })
export class RotateWebhookSecretInput {
  @Field(() => ID, { description: 'The endpoint.' })
  webhookId!: string;

  @Field(() => Int, {
    defaultValue: 86_400,
    description: 'How long messages keep a signature by the old secret beside the new one, in seconds: 0 to 604800 (7 days). Default 86400 (24 h).',
  })
  overlapSeconds!: number;
}

@InputType({ description: 'A webhook message to send again.' })
export class RedeliverWebhookDeliveryInput {
  @Field(() => ID, { description: 'The delivery (WebhookDelivery.id).' })
  deliveryId!: string;
}
