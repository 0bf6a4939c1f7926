import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { CreateApiKeyInput, CreateUserInput, LoginInput } from './user.inputs';
import { ApiKeyPayload, AuthPayload } from './user.payloads';
import { User } from './user.entity';
import { Availability, Role } from './user.enums';
import { seesUserPrivateFields } from '../access/visibility';
import { isShownToOwner } from './own-account';

/** The note every private field of User carries. */
/** The viewer reads this account's private fields: the rule of visibility.ts, or `login`'s own account. */
export function seesPrivate(ctx: Context, user: User): boolean {
  return isShownToOwner(user) || seesUserPrivateFields(ctx.actor, user);
}

export const PRIVATE_FIELD =
  'Null unless the viewer is staff, an API key with TICKETS_READ, or this account itself (customers see staff by name only).';

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

  @FieldResolver(() => String, { nullable: true, description: `Login email, lower-case and unique. ${PRIVATE_FIELD}` })
  email(@Root() user: User, @Ctx() ctx: Context): string | null {
    return seesPrivate(ctx, user) ? user.email : null;
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description: `Most open tickets this agent should hold; automatic assignment never goes beyond it (staff accounts only). ${PRIVATE_FIELD}`,
  })
  capacity(@Root() user: User, @Ctx() ctx: Context): number | null {
    return seesPrivate(ctx, user) ? (user.capacity ?? null) : null;
  }

  @FieldResolver(() => Availability, {
    nullable: true,
    description: `AVAILABLE or AWAY: automatic assignment skips agents who are away (staff accounts only). ${PRIVATE_FIELD}`,
  })
  availability(@Root() user: User, @Ctx() ctx: Context): Availability | null {
    return seesPrivate(ctx, user) ? (user.availability ?? null) : null;
  }
}
