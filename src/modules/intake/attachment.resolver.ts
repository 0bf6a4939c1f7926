import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { Ticket } from '../tickets/ticket.entity';
import { Attachment } from './attachment.entity';

@Resolver(() => Ticket)
export class AttachmentResolver {
  @FieldResolver(() => [Attachment], {
    description: 'Files that came with the inbound emails of this ticket, oldest first: listed by name, type and size (the content is not kept).',
  })
  attachments(@Root() ticket: Ticket, @Ctx() ctx: Context) {
    return ctx.loaders.attachmentsByTicket.load(ticket.id);
  }
}
