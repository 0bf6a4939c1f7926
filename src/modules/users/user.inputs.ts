import { Field, ID, InputType, Int } from 'type-graphql';
import { ApiScope } from './auth/api-scope.enum';
import { Role } from './user.enums';

@InputType({ description: 'Credentials of a staff member or a customer contact.' })
export class LoginInput {
  @Field({ description: 'Login email.' })
  email!: string;

  @Field({ description: 'Password.' })
  password!: string;
}

@InputType({ description: 'A new staff member.' })
export class CreateUserInput {
  @Field({ description: 'Full name.' })
  name!: string;

  @Field({ description: 'Login email; unique.' })
  email!: string;

  @Field({ description: 'Initial password, 8 to 200 characters.' })
  password!: string;

  @Field(() => Role, { description: 'ADMIN or AGENT (customers are contacts: use createContact).' })
  role!: Role;
}

@InputType({ description: 'A new API key for an integration.' })
export class CreateApiKeyInput {
  @Field({ description: 'What the key is for, e.g. "Billing sync".' })
  name!: string;

  @Field(() => [ApiScope], { description: 'The rights it carries; at least one.' })
  scopes!: ApiScope[];
}

@InputType({ description: "Changes to a staff member; fields left out stay as they are." })
export class UpdateUserInput {
  @Field(() => ID, { description: 'The staff member.' })
  userId!: string;

  @Field(() => String, { nullable: true, description: 'New full name.' })
  name?: string | null;

  @Field(() => Role, { nullable: true, description: 'New role, ADMIN or AGENT; takes effect on the next request of every session. The last active admin cannot be demoted.' })
  role?: Role | null;
}

@InputType({ description: 'One login: a staff member (`userId`) or a customer contact (`contactId`). Give exactly one.' })
export class AccountInput {
  @Field(() => ID, { nullable: true, description: 'A staff member.' })
  userId?: string | null;

  @Field(() => ID, { nullable: true, description: "A contact who logs in as a customer (the id `me` shows a customer)." })
  contactId?: string | null;
}

@InputType({ description: 'A new password for the signed-in account.' })
export class ChangePasswordInput {
  @Field({ description: 'The password in use now.' })
  currentPassword!: string;

  @Field({ description: 'The new password, 8 to 200 characters.' })
  newPassword!: string;
}

@InputType({ description: 'Which sessions to end.' })
export class LogoutInput {
  @Field(() => Boolean, { defaultValue: false, description: 'false (default): only this session; true: every session of this account.' })
  everywhere!: boolean;
}

@InputType({ description: 'An API key to revoke.' })
export class RevokeApiKeyInput {
  @Field(() => ID, { description: 'The key.' })
  apiKeyId!: string;
}

@InputType({ description: 'An API key to give a new secret.' })
export class RotateApiKeyInput {
  @Field(() => ID, { description: 'The key.' })
  apiKeyId!: string;

  @Field(() => Int, {
    description: 'Seconds the old secret keeps working: 0 (refused at once) to 604800 (7 days). A secret replaced earlier and still in its grace period stops at once.',
  })
  graceSeconds!: number;
}
