import { Field, ID, InputType } from 'type-graphql';
import { Role } from './user.enums';

@InputType({ description: 'A new staff member, invited by mail to choose a password.' })
export class InviteUserInput {
  @Field({ description: 'Full name.' })
  name!: string;

  @Field({ description: 'Login email; unique. The invitation is sent there.' })
  email!: string;

  @Field(() => Role, { description: 'ADMIN or AGENT (customers are contacts: use inviteContact).' })
  role!: Role;
}

@InputType({ description: 'A contact to invite to log in as a customer.' })
export class InviteContactInput {
  @Field(() => ID, { description: 'The contact (createContact without a password makes one); it must not have a login yet.' })
  contactId!: string;
}

@InputType({ description: 'The login email of the account whose password is forgotten.' })
export class RequestPasswordResetInput {
  @Field({ description: 'Login email.' })
  email!: string;
}

@InputType({ description: 'A mailed one-time token and the password to set with it.' })
export class SetPasswordWithTokenInput {
  @Field({ description: 'The `token` parameter of the mailed link.' })
  token!: string;

  @Field({ description: 'The new password, 8 to 200 characters.' })
  password!: string;
}
