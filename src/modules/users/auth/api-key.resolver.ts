import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../../context';
import { INPUT } from '../../../shared/descriptions';
import { AFTER_DESCRIPTION, Connection, FIRST_DESCRIPTION, toConnection } from '../../../shared/pagination';
import { User } from '../user.entity';
import { CreateApiKeyInput, RevokeApiKeyInput, RotateApiKeyInput } from '../user.inputs';
import { ApiKeyPayload, ApiKeyRevocationPayload } from '../user.payloads';
import { ApiKey } from './api-key.entity';

const ApiKeyConnection = Connection(ApiKey, 'ApiKey');

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Query(() => ApiKeyConnection, { description: 'Every API key, revoked ones included, newest first (admins only). Secrets are never shown.' })
  async apiKeys(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first?: number,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after?: string,
  ) {
    return toConnection(await ctx.services.apiKeys.list({ first, after }));
  }

  @Mutation(() => ApiKeyPayload, { description: 'Create an API key (admins only). The secret is in the payload, once.' })
  createApiKey(@Arg('input', () => CreateApiKeyInput, { description: INPUT }) input: CreateApiKeyInput, @Ctx() ctx: Context) {
    return ctx.services.apiKeys.create(input);
  }

  @Mutation(() => ApiKeyRevocationPayload, {
    description: 'Revoke an API key (admins only): refused from the next request on, and its open WebSocket connections close with 4403.',
  })
  async revokeApiKey(@Arg('input', () => RevokeApiKeyInput, { description: INPUT }) input: RevokeApiKeyInput, @Ctx() ctx: Context) {
    return { apiKey: await ctx.services.apiKeys.revoke(input.apiKeyId) };
  }

  @Mutation(() => ApiKeyPayload, {
    description:
      'Give an API key a new secret (admins only), shown once in the payload. The old secret keeps working for `graceSeconds` (at most 7 days), then is refused and its connections close.',
  })
  rotateApiKey(@Arg('input', () => RotateApiKeyInput, { description: INPUT }) input: RotateApiKeyInput, @Ctx() ctx: Context) {
    return ctx.services.apiKeys.rotate(input);
  }

  @FieldResolver(() => User, { description: 'The admin who created the key.' })
  createdBy(@Root() apiKey: ApiKey, @Ctx() ctx: Context) {
    return ctx.loaders.users.load(apiKey.createdBy.id);
  }
}
