import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: "A change to how customer mail stands for a contact's address." })
export class UpdateContactMailInput {
  @Field(() => ID, { description: 'The contact.' })
  contactId!: string;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'False: stop optional mail (waiting on you, resolution, closing, receipts of tickets staff opened); true: send it again. ' +
      'Receipts of tickets the contact opened and replies written by staff are always sent. Null or absent: unchanged.',
  })
  subscribed?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'True: forget a hard bounce, so mail is sent to the address again (staff and keys with TICKETS_WRITE only; FORBIDDEN otherwise).',
  })
  clearBounce?: boolean | null;
}
