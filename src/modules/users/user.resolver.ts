import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { AccountInput, ChangePasswordInput, CreateUserInput, LoginInput, LogoutInput, UpdateUserInput } from './user.inputs';
import { AccountPayload, AuthPayload, LogoutPayload, UserPayload } from './user.payloads';
import { User } from './user.entity';
import { Availability, Role } from './user.enums';
import { seesUserPrivateFields } from '../access/visibility';
import { isShownToOwner } from './own-account';
import { Contact } from '../businesses/contact.entity';

/** The viewer reads this account's private fields: the rule of visibility.ts, or `login`'s own account. */
export function seesPrivate(ctx: Context, user: User): boolean {
  return isShownToOwner(user) || seesUserPrivateFields(ctx.actor, user);
}

/** The note every private field of User carries. */
export const PRIVATE_FIELD =
  'Null unless the viewer is staff, an API key with TICKETS_READ, or this account itself (customers see staff by name only).';

const DEACTIVATED_AT = 'When the login was deactivated (deactivateUser); null while it is active. Shown to admins only: null for everyone else.';

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

  @Mutation(() => AuthPayload, {
    description:
      'Log in as staff or as a customer contact; UNAUTHENTICATED on a wrong email or password (or a deactivated account). After repeated failures for an email or from an address: RATE_LIMITED with `retryAfterSeconds`, even with the right password.',
  })
  login(@Arg('input', () => LoginInput, { description: INPUT }) input: LoginInput, @Ctx() ctx: Context) {
    return ctx.services.users.login(input);
  }

  @Mutation(() => LogoutPayload, { description: 'End this session (or, with `everywhere`, every session of this account); its WebSocket connections close.' })
  logout(@Arg('input', () => LogoutInput, { nullable: true, description: 'Which sessions; this one when left out.' }) input: LogoutInput | null, @Ctx() ctx: Context) {
    return ctx.services.users.logout(input);
  }

  @Mutation(() => AuthPayload, {
    description: 'Change the signed-in account’s password (staff or contact; the current password is required). Every session ends, this one too: use the returned token.',
  })
  changePassword(@Arg('input', () => ChangePasswordInput, { description: INPUT }) input: ChangePasswordInput, @Ctx() ctx: Context) {
    return ctx.services.users.changePassword(input);
  }

  @Mutation(() => User, { description: 'Create a staff member (admins only).' })
  createUser(@Arg('input', () => CreateUserInput, { description: INPUT }) input: CreateUserInput, @Ctx() ctx: Context) {
    return ctx.services.users.create(input);
  }

  @Mutation(() => UserPayload, { description: "Change a staff member's name or role (admins only); a new role applies from the next request." })
  async updateUser(@Arg('input', () => UpdateUserInput, { description: INPUT }) input: UpdateUserInput, @Ctx() ctx: Context) {
    return { user: await ctx.services.users.update(input) };
  }

  @Mutation(() => AccountPayload, {
    description:
      'Deactivate a staff member or a contact login (admins only): it can no longer log in, its sessions end and its connections close at once; its tickets and history stay. Not your own account, nor the last active admin.',
  })
  deactivateUser(@Arg('input', () => AccountInput, { description: INPUT }) input: AccountInput, @Ctx() ctx: Context) {
    return ctx.services.users.setActive(input, false);
  }

  @Mutation(() => AccountPayload, { description: 'Let a deactivated staff member or contact log in again (admins only); earlier sessions stay ended.' })
  reactivateUser(@Arg('input', () => AccountInput, { description: INPUT }) input: AccountInput, @Ctx() ctx: Context) {
    return ctx.services.users.setActive(input, true);
  }

  @FieldResolver(() => Date, { nullable: true, description: DEACTIVATED_AT })
  deactivatedAt(@Root() user: User, @Ctx() ctx: Context) {
    return ctx.services.users.deactivatedAtOf(user);
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

/** The login state of a contact, beside the fields the businesses module gives it. */
@Resolver(() => Contact)
export class ContactLoginResolver {
  @FieldResolver(() => Date, { nullable: true, description: DEACTIVATED_AT })
  loginDeactivatedAt(@Root() contact: Contact, @Ctx() ctx: Context) {
    return ctx.services.users.deactivatedAtOf(contact);
  }
}
