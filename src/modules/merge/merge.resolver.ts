import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { Contact } from '../businesses/contact.entity';
import { Ticket } from '../tickets/ticket.entity';
import { MergeTicketsInput, UnmergeTicketInput } from './merge.inputs';
import { MergeTicketsPayload, UnmergeTicketPayload } from './merge.payloads';
import { UNMERGE_DAYS } from './merge.service';

@Resolver(() => Ticket)
export class MergeResolver {
  @Mutation(() => MergeTicketsPayload, {
    description:
      'Merge tickets into one (staff, or an API key with TICKETS_WRITE). Each source closes (CLOSED, with MERGED and STATUS_CHANGED entries naming the target) ' +
      'and gets `mergedInto`; its comments and attachments move to the target with their authors, times and internal flags, listed there in time order; ' +
      'its tags are added to the target, and its contact is listed in the target’s `contacts` (and becomes the target’s contact when it had none). ' +
      'Each source’s customer gets an external comment (mailed) saying where the conversation continues. From then on, comments, status changes and ' +
      'mail replies addressed to a source land on the target. Sources of another business than the target are refused unless an admin passes ' +
      '`allowAcrossBusinesses`. The tickets are locked in a fixed order; `expectedVersions` turns a stale view into CONFLICT. Unknown or unseen ids ' +
      'answer NOT_FOUND; merging into itself, into a closed or merged target, or a closed or merged source answers BAD_USER_INPUT; nothing is written then.',
  })
  async mergeTickets(@Arg('input', () => MergeTicketsInput, { description: INPUT }) input: MergeTicketsInput, @Ctx() ctx: Context) {
    return ctx.services.merges.merge(input);
  }

  @Mutation(() => UnmergeTicketPayload, {
    description:
      `Undo a merge within ${UNMERGE_DAYS} days (staff, or an API key with TICKETS_WRITE): the source gets back the comments and attachments it had, its status, ` +
      'resolved and closed dates as before the merge, and `mergedInto` is cleared; the tags and contact it gave the target are taken back. Comments written on ' +
      'the target since stay there. UNMERGED entries on both tickets. BAD_USER_INPUT when the ticket is not merged, the merge is older, or the target was merged on since.',
  })
  async unmergeTicket(@Arg('input', () => UnmergeTicketInput, { description: INPUT }) input: UnmergeTicketInput, @Ctx() ctx: Context) {
    return ctx.services.merges.unmerge(input);
  }

  @FieldResolver(() => Ticket, {
    nullable: true,
    description: 'The ticket this one was merged into (the conversation continues there); null when not merged, or when the viewer may not see that ticket.',
  })
  mergedInto(@Root() ticket: Ticket, @Ctx() ctx: Context) {
    return ticket.mergedInto && ctx.loaders.visibleTickets.load(ticket.mergedInto.id);
  }

  @FieldResolver(() => [Contact], {
    description: 'Everyone the ticket is for: its contact and the contacts of the tickets merged into it (those the viewer may see).',
  })
  contacts(@Root() ticket: Ticket, @Ctx() ctx: Context) {
    return ctx.loaders.ticketContacts.load(ticket.id);
  }
}
