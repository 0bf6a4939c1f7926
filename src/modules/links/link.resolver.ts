import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { Ticket } from '../tickets/ticket.entity';
import { LinkTicketsInput, UnlinkTicketsInput } from './link.inputs';
import { LinkTicketsPayload, TicketLinkView } from './link.payloads';

@Resolver(() => Ticket)
export class LinkResolver {
  @Mutation(() => LinkTicketsPayload, {
    description:
      'Link two tickets (staff, or an API key with TICKETS_WRITE): RELATED, DUPLICATE_OF or PARENT_OF. One link per pair; linking the same way again changes ' +
      'nothing, another kind answers BAD_USER_INPUT (unlink first). A child has one parent and is never its own ancestor. Both tickets get a TICKET_LINKED ' +
      'entry (internal when they belong to different businesses).',
  })
  async linkTickets(@Arg('input', () => LinkTicketsInput, { description: INPUT }) input: LinkTicketsInput, @Ctx() ctx: Context) {
    return ctx.services.links.link(input);
  }

  @Mutation(() => LinkTicketsPayload, { description: 'Remove the link between two tickets (either order); BAD_USER_INPUT when they are not linked.' })
  async unlinkTickets(@Arg('input', () => UnlinkTicketsInput, { description: INPUT }) input: UnlinkTicketsInput, @Ctx() ctx: Context) {
    return ctx.services.links.unlink(input);
  }

  @FieldResolver(() => [TicketLinkView], {
    description: 'Links to other tickets, oldest first, seen from this ticket. Only links to tickets the viewer may see are listed (a customer: its business’s).',
  })
  async links(@Root() ticket: Ticket, @Ctx() ctx: Context): Promise<TicketLinkView[]> {
    const ends = await ctx.loaders.ticketLinks.load(ticket.id);
    const others = await ctx.loaders.visibleTickets.loadMany(ends.map((end) => end.otherId));
    return ends.flatMap((end, i) => {
      const other = others[i];
      return other && !(other instanceof Error) ? [{ relation: end.relation, ticket: other, linkedAt: end.linkedAt }] : [];
    });
  }
}
