import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { CreateApiKeyInput, CreateUserInput, LoginInput } from './user.inputs';
import { ApiKeyPayload, AuthPayload } from './user.payloads';
import { User } from './user.entity';
import { Role } from './user.enums';

@Resolver(() => User)
export class UserResolver {
  @Query(() => User, { nullable: true, description: 'The signed-in account; null for anonymous requests and API keys.' })
  me(@Ctx() ctx: Context) {
    return ctx.services.users.me();
  }

  @Query(() => [User], { description: 'Staff members by name (staff, or a key with TICKETS_READ).' })
  users(@Ctx() ctx: Context, @Arg('role', () => Role, { nullable: true, description: 'Only this role.' }) role?: Role) {
    return ctx.services.users.list(role);
  }

  @Mutation(() => AuthPayload, { description: 'Log in as staff or as a customer contact; UNAUTHENTICATED on a wrong email or password.' })
  login(@Arg('input', () => LoginInput, { description: INPUT }) input: LoginInput, @Ctx() ctx: Context) {
    return ctx.services.users.login(input);
  }

  @Mutation(() => User, { description: 'Create a staff member (admins only).' })
  createUser(@Arg('input', () => CreateUserInput, { description: INPUT }) input: CreateUserInput, @Ctx() ctx: Context) {
    return ctx.services.users.create(input);
  }

  @Mutation(() => ApiKeyPayload, { description: 'Create an API key (admins only). The secret is in the payload, once.' })
  createApiKey(@Arg('input', () => CreateApiKeyInput, { description: INPUT }) input: CreateApiKeyInput, @Ctx() ctx: Context) {
    return ctx.services.apiKeys.create(input);
  }
}
