import { Field, ID, ObjectType } from 'type-graphql';
import { WebhookDelivery } from './webhook-delivery';
import { WebhookEndpoint } from './webhook-endpoint.entity';

@ObjectType({ description: 'A webhook endpoint with its signing secret. The secret is shown here once and cannot be read again.' })
export class WebhookSecretPayload {
  @Field(() => WebhookEndpoint, { description: 'The endpoint.' })
  webhook!: WebhookEndpoint;

  @Field({ description: 'The signing secret (`whsec_…`), for the receiver to verify `webhook-signature` with. Store it now.' })
  secret!: string;
}

@ObjectType({ description: 'The webhook endpoint after the change.' })
export class WebhookPayload {
  @Field(() => WebhookEndpoint, { description: 'The endpoint.' })
  webhook!: WebhookEndpoint;
}

@ObjectType({ description: 'A deleted webhook endpoint.' })
export class DeleteWebhookPayload {
  @Field(() => ID, { description: 'The id the endpoint had. Its messages still waiting were cancelled.' })
  deletedWebhookId!: string;
}

@ObjectType({ description: 'A webhook message queued for sending.' })
export class WebhookDeliveryPayload {
  @Field(() => WebhookDelivery, { description: 'The message; it is attempted within moments (see `status`).' })
  delivery!: WebhookDelivery;
}
