import { Field, Int, ObjectType } from 'type-graphql';
import { Contact } from '../businesses/contact.entity';
import { ApiKey } from './auth/api-key.entity';
import { User } from './user.entity';

@ObjectType({ description: 'A session: send the token as `Authorization: Bearer <token>`.' })
export class AuthPayload {
  @Field({ description: 'A signed session token; it expires (12 hours by default).' })
  token!: string;

  @Field(() => User, { description: 'Who logged in (a customer appears with role CUSTOMER).' })
  user!: User;
}

@ObjectType({ description: 'A new API key. The key is shown here once and cannot be read again.' })
export class ApiKeyPayload {
  @Field({ description: 'The secret: send it as `Authorization: Bearer <key>`. Store it now.' })
  key!: string;

  @Field(() => ApiKey, { description: 'The key as stored (without the secret).' })
  apiKey!: ApiKey;
}

@ObjectType({ description: 'The staff member after the change.' })
export class UserPayload {
  @Field(() => User, { description: 'The staff member.' })
  user!: User;
}

@ObjectType({ description: 'A login after deactivation or reactivation: one of `user` and `contact` is set.' })
export class AccountPayload {
  @Field(() => User, { nullable: true, description: 'The staff member, when the input named one.' })
  user!: User | null;

  @Field(() => Contact, { nullable: true, description: 'The contact, when the input named one.' })
  contact!: Contact | null;

  @Field({ description: 'Whether the login may be used now.' })
  active!: boolean;
}

@ObjectType({ description: 'What logout ended.' })
export class LogoutPayload {
  @Field(() => Int, { description: 'How many sessions ended (0 when they had ended already).' })
  endedSessions!: number;
}

@ObjectType({ description: 'The revoked API key.' })
export class ApiKeyRevocationPayload {
  @Field(() => ApiKey, { description: 'The key, with `revokedAt` set.' })
  apiKey!: ApiKey;
}
