import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { Contact } from '../businesses/contact.entity';
import { MailRecipient } from './mail-recipient.entity';
import { UpdateContactMailInput } from './mail-status.inputs';

@Resolver(() => Contact)
export class MailStatusResolver {
  @FieldResolver(() => MailRecipient, {
    nullable: true,
    description: "How customer mail stands for the contact's address (unsubscribed, bounced). Staff, API keys with TICKETS_READ and the contact itself; null for others.",
  })
  mailStatus(@Root() contact: Contact, @Ctx() ctx: Context) {
    return ctx.services.mailStatus.ofContact(contact);
  }

  @Mutation(() => Contact, {
    description:
      "Turn optional customer mail off or on for a contact's address, or clear a hard bounce. Staff, API keys with TICKETS_WRITE, " +
      'and the contact itself (which may not clear a bounce: FORBIDDEN). A contact the viewer may not see answers NOT_FOUND.',
  })
  updateContactMail(@Arg('input', () => UpdateContactMailInput, { description: INPUT }) input: UpdateContactMailInput, @Ctx() ctx: Context) {
    return ctx.services.mailStatus.update(input);
  }
}
