import { Field, ObjectType } from 'type-graphql';
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
