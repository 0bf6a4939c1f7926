import { Field, ObjectType } from 'type-graphql';
import { Contact } from '../businesses/contact.entity';
import { User } from './user.entity';

@ObjectType({ description: 'An invitation sent: one of `user` and `contact` is set.' })
export class InvitationPayload {
  @Field(() => User, { nullable: true, description: 'The staff member invited (inviteUser).' })
  user!: User | null;

  @Field(() => Contact, { nullable: true, description: 'The contact invited (inviteContact).' })
  contact!: Contact | null;

  @Field({ description: 'Until when the mailed link works.' })
  expiresAt!: Date;
}

@ObjectType({ description: 'The answer to a reset request: the same whether or not the address has an account.' })
export class PasswordResetRequestPayload {
  @Field({ description: 'Always true: if the address belongs to an account that can log in, a link is on its way.' })
  accepted!: boolean;
}
