import { Field, InputType } from 'type-graphql';
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
