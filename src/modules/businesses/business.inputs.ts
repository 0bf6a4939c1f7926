import { Field, ID, InputType } from 'type-graphql';
import { LIMITS } from '../../shared/validation';

@InputType({ description: 'A new customer company.' })
export class CreateBusinessInput {
  @Field({ description: `Company name, 1 to ${LIMITS.name} characters.` })
  name!: string;

  @Field(() => String, { nullable: true, description: 'Email domain of its people, such as example.com.' })
  domain?: string | null;

  @Field(() => ID, { nullable: true, description: 'The staff member who manages the account.' })
  accountManagerId?: string | null;
}

@InputType({ description: 'A new person at a business.' })
export class CreateContactInput {
  @Field(() => ID, { description: 'The business the contact works for.' })
  businessId!: string;

  @Field({ description: `Full name, 1 to ${LIMITS.name} characters.` })
  name!: string;

  @Field({ description: 'Email address; unique among contacts.' })
  email!: string;

  @Field(() => String, { nullable: true, description: 'Phone number.' })
  phone?: string | null;

  @Field(() => String, { nullable: true, description: "A password (8+ characters) lets the contact log in and follow its business's tickets." })
  password?: string | null;
}
