import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { InviteContactInput, InviteUserInput, RequestPasswordResetInput, SetPasswordWithTokenInput } from './account-mail.inputs';
import { InvitationPayload, PasswordResetRequestPayload } from './account-mail.payloads';
import { AuthPayload } from './user.payloads';

const TOKEN_ERRORS =
  'A refused token answers BAD_USER_INPUT on `token` with `extensions.reason`: TOKEN_INVALID (unknown, forged, or its account deactivated), ' +
  'TOKEN_EXPIRED, or TOKEN_USED (used already, or replaced by a newer mail); nothing is written.';

@Resolver()
export class AccountMailResolver {
  @Mutation(() => InvitationPayload, {
    description: 'Admins: create a staff member without a password and mail them a one-time link (valid INVITATION_TTL, default 7 days) to choose one.',
  })
  inviteUser(@Arg('input', () => InviteUserInput, { description: INPUT }) input: InviteUserInput, @Ctx() ctx: Context) {
    return ctx.services.accountMail.inviteUser(input);
  }

  @Mutation(() => InvitationPayload, {
    description:
      'Staff: mail a contact without a login a one-time link (valid INVITATION_TTL) to choose a password and log in as a customer. ' +
      'Inviting again makes the earlier link stop working. CONFLICT when the contact can log in already or is deactivated.',
  })
  inviteContact(@Arg('input', () => InviteContactInput, { description: INPUT }) input: InviteContactInput, @Ctx() ctx: Context) {
    return ctx.services.accountMail.inviteContact(input);
  }

  @Mutation(() => PasswordResetRequestPayload, {
    description:
      'Anyone: mail a one-time link (valid PASSWORD_RESET_TTL, default 1 hour) to reset the password of the account with this login email. ' +
      'The answer is the same whether or not such an account exists. Beyond PASSWORD_RESET_REQUESTS_PER_HOUR requests for one address: RATE_LIMITED.',
  })
  requestPasswordReset(@Arg('input', () => RequestPasswordResetInput, { description: INPUT }) input: RequestPasswordResetInput, @Ctx() ctx: Context) {
    return ctx.services.accountMail.requestPasswordReset(input);
  }

  @Mutation(() => AuthPayload, {
    description: `Anyone holding a reset link: set a new password. Every session of the account ends (open connections close); a new session is returned. ${TOKEN_ERRORS}`,
  })
  resetPassword(@Arg('input', () => SetPasswordWithTokenInput, { description: INPUT }) input: SetPasswordWithTokenInput, @Ctx() ctx: Context) {
    return ctx.services.accountMail.resetPassword(input);
  }

  @Mutation(() => AuthPayload, { description: `Anyone holding an invitation link: choose the account's first password and sign in. ${TOKEN_ERRORS}` })
  acceptInvitation(@Arg('input', () => SetPasswordWithTokenInput, { description: INPUT }) input: SetPasswordWithTokenInput, @Ctx() ctx: Context) {
    return ctx.services.accountMail.acceptInvitation(input);
  }
}
