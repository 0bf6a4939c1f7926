import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { checkedChildPageKey } from '../../shared/child-pages';
import { AFTER_DESCRIPTION, Connection, FIRST_DESCRIPTION, mapPage, toConnection } from '../../shared/pagination';
import { WebhookDelivery } from './webhook-delivery';
import { WebhookEndpoint } from './webhook-endpoint.entity';
import { CreateWebhookInput, RedeliverWebhookDeliveryInput, RotateWebhookSecretInput, UpdateWebhookInput, WebhookIdInput } from './webhook.inputs';
import { DeleteWebhookPayload, WebhookDeliveryPayload, WebhookPayload, WebhookSecretPayload } from './webhook.payloads';

const WebhookEndpointConnection = Connection(WebhookEndpoint, 'WebhookEndpoint');
const WebhookDeliveryConnection = Connection(WebhookDelivery, 'WebhookDelivery');

@Resolver(() => WebhookEndpoint)
export class WebhookResolver {
  @Query(() => WebhookEndpointConnection, { description: 'Every webhook endpoint, newest first (admins only). Secrets are never shown.' })
  async webhooks(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first?: number,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after?: string,
  ) {
    return toConnection(await ctx.services.webhooks.list({ first, after }));
  }

  @Mutation(() => WebhookSecretPayload, {
    description: 'Create a webhook endpoint (admins only). The signing secret is in the payload, once. A URL resolving to a private address answers BAD_USER_INPUT (field url).',
  })
  createWebhook(@Arg('input', () => CreateWebhookInput, { description: INPUT }) input: CreateWebhookInput, @Ctx() ctx: Context) {
    return ctx.services.webhooks.create(input);
  }

  @Mutation(() => WebhookPayload, { description: 'Change a webhook endpoint, or disable or enable it (admins only).' })
  async updateWebhook(@Arg('input', () => UpdateWebhookInput, { description: INPUT }) input: UpdateWebhookInput, @Ctx() ctx: Context) {
    return { webhook: await ctx.services.webhooks.update(input) };
  }

  @Mutation(() => DeleteWebhookPayload, { description: 'Delete a webhook endpoint (admins only); its messages still waiting are cancelled.' })
  async deleteWebhook(@Arg('input', () => WebhookIdInput, { description: INPUT }) input: WebhookIdInput, @Ctx() ctx: Context) {
    return { deletedWebhookId: await ctx.services.webhooks.delete(input.webhookId) };
  }

  @Mutation(() => WebhookDeliveryPayload, {
    description: 'Queue a PING message to a webhook endpoint now, whatever its events (admins only); follow it in `delivery` or the endpoint\'s `deliveries`.',
  })
  async testWebhook(@Arg('input', () => WebhookIdInput, { description: INPUT }) input: WebhookIdInput, @Ctx() ctx: Context) {
    return { delivery: await ctx.services.webhooks.test(input.webhookId) };
  }

  @Mutation(() => WebhookSecretPayload, {
    description:
      'Give a webhook endpoint a new signing secret (admins only), shown once in the payload. For `overlapSeconds` messages carry two ' +
      'signatures, by the old and the new secret, so the receiver can switch secrets without refusing a message.',
  })
  rotateWebhookSecret(@Arg('input', () => RotateWebhookSecretInput, { description: INPUT }) input: RotateWebhookSecretInput, @Ctx() ctx: Context) {
    return ctx.services.webhooks.rotateSecret(input);
  }

  @Mutation(() => WebhookDeliveryPayload, {
    description:
      'Send a webhook message again now, with the same `webhook-id` (admins only). Its attempts keep counting; if it fails, what is left of the retry schedule follows.',
  })
  async redeliverWebhookDelivery(
    @Arg('input', () => RedeliverWebhookDeliveryInput, { description: INPUT }) input: RedeliverWebhookDeliveryInput,
    @Ctx() ctx: Context,
  ) {
    return { delivery: await ctx.services.webhooks.redeliver(input.deliveryId) };
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: 'Its messages, newest first, with the outcome of their attempts.' })
  async deliveries(
    @Root() webhook: WebhookEndpoint,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first?: number,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after?: string,
  ) {
    return toConnection(mapPage(await ctx.loaders.webhookDeliveryPages.load(checkedChildPageKey(webhook.id, first, after)), WebhookDelivery.from));
  }
}
