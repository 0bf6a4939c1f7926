import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { checkedChildPageKey } from '../../shared/child-pages';
import { whenReady } from '../../shared/primed-loader';
import { AFTER_DESCRIPTION, FIRST_DESCRIPTION, toConnection } from '../../shared/pagination';
import { Business } from '../businesses/business.entity';
import { Contact } from '../businesses/contact.entity';
import { CommentConnection } from '../comments/comment.payloads';
import { Tag } from '../tags/tag.entity';
import { User } from '../users/user.entity';
import { Ticket } from './ticket.entity';
import { ticketSelection } from './ticket-read';
import { seesReason } from '../access/visibility';
import {
  AssignTicketInput,
  CreateTicketInput,
  LinkTicketInput,
  SetTicketTagsInput,
  SubmitTicketInput,
  TicketFilter,
  TicketOrder,
  UpdateTicketInput,
} from './ticket.inputs';
import { SubmitTicketPayload, TicketConnection, TicketEventConnection, TicketPayload } from './ticket.payloads';

@Resolver(() => Ticket)
export class TicketResolver {
  @Query(() => Ticket, { nullable: true, description: 'One ticket. NOT_FOUND when it does not exist or the viewer may not see it.' })
  ticket(@Arg('id', () => ID, { description: 'The ticket id.' }) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return ctx.services.tickets.get(id, ticketSelection(info, 'ticket'));
  }

  @Query(() => TicketConnection, {
    description: 'Tickets the viewer may see (a customer: its business only), filtered and sorted; newest first by default.',
  })
  async tickets(
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => TicketFilter, { nullable: true, description: 'What to include.' }) filter?: TicketFilter,
    @Arg('orderBy', () => TicketOrder, { nullable: true, description: 'Sort order; default CREATED_AT DESC.' }) orderBy?: TicketOrder,
    @Arg('first', () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first?: number,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after?: string,
  ) {
    return toConnection(await ctx.services.tickets.list({ filter, orderBy, first, after }, ticketSelection(info, 'connection')));
  }

  @Mutation(() => SubmitTicketPayload, { description: 'The public web form: anyone may submit; the ticket starts UNASSIGNED.' })
  async submitTicket(@Arg('input', () => SubmitTicketInput, { description: INPUT }) input: SubmitTicketInput, @Ctx() ctx: Context) {
    const ticket = await ctx.services.intake.submitWebForm(input);
    return { ticketNumber: ticket.number, reference: ticket.reference };
  }

  @Mutation(() => TicketPayload, { description: 'Open a ticket as staff (phone, on behalf of a customer) or as an integration.' })
  async createTicket(@Arg('input', () => CreateTicketInput, { description: INPUT }) input: CreateTicketInput, @Ctx() ctx: Context) {
    return { ticket: await ctx.services.tickets.create(input) };
  }

  @Mutation(() => TicketPayload, { description: 'Change the title, description or priority.' })
  async updateTicket(@Arg('input', () => UpdateTicketInput, { description: INPUT }) input: UpdateTicketInput, @Ctx() ctx: Context) {
    return { ticket: await ctx.services.tickets.update(input) };
  }

  @Mutation(() => TicketPayload, { description: 'Assign a staff member, or unassign with a null assigneeId.' })
  async assignTicket(@Arg('input', () => AssignTicketInput, { description: INPUT }) input: AssignTicketInput, @Ctx() ctx: Context) {
    return { ticket: await ctx.services.tickets.assign(input) };
  }

  @Mutation(() => TicketPayload, { description: 'Replace the tags of a ticket; unknown names create tags.' })
  async setTicketTags(@Arg('input', () => SetTicketTagsInput, { description: INPUT }) input: SetTicketTagsInput, @Ctx() ctx: Context) {
    return { ticket: await ctx.services.tickets.setTags(input) };
  }

  @Mutation(() => TicketPayload, { description: 'Link a ticket to its business (and contact); an UNASSIGNED ticket becomes OPEN.' })
  async linkTicketToBusiness(@Arg('input', () => LinkTicketInput, { description: INPUT }) input: LinkTicketInput, @Ctx() ctx: Context) {
    return { ticket: await ctx.services.tickets.link(input) };
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'How it was solved, written when resolving. Notes for the team only (resolved without notifying the customer) are null ' +
      'for viewers who may not read internal content.',
  })
  resolutionNotes(@Root() ticket: Ticket, @Ctx() ctx: Context): string | null {
    return seesReason(ctx.actor, { reasonInternal: ticket.resolutionNotesInternal }) ? ticket.resolutionNotes : null;
  }

  @FieldResolver(() => Business, { nullable: true, description: 'The business it is for; null while UNASSIGNED (and for viewers who may not read it).' })
  business(@Root() ticket: Ticket, @Ctx() ctx: Context) {
    return ticket.business && ctx.loaders.businesses.now(ticket.business.id);
  }

  @FieldResolver(() => Contact, { nullable: true, description: 'The person it is for, when known.' })
  contact(@Root() ticket: Ticket, @Ctx() ctx: Context) {
    return ticket.contact && ctx.loaders.contacts.now(ticket.contact.id);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The staff member working on it.' })
  assignee(@Root() ticket: Ticket, @Ctx() ctx: Context) {
    return ticket.assignee && ctx.loaders.users.now(ticket.assignee.id);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The staff member who opened it; null when the public or an integration did.' })
  creator(@Root() ticket: Ticket, @Ctx() ctx: Context) {
    return ticket.creator && ctx.loaders.users.now(ticket.creator.id);
  }

  @FieldResolver(() => [Tag], { description: 'Its tags, by name.' })
  tags(@Root() ticket: Ticket, @Ctx() ctx: Context) {
    return ctx.loaders.tagsByTicket.now(ticket.id);
  }

  @FieldResolver(() => CommentConnection, { description: 'Comments, oldest first. Internal ones appear only for staff and keys with COMMENTS_INTERNAL.' })
  comments(
    @Root() ticket: Ticket,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first?: number,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after?: string,
  ) {
    return whenReady(ctx.loaders.commentPages.now(checkedChildPageKey(ticket.id, first, after)), toConnection);
  }

  @FieldResolver(() => TicketEventConnection, { description: 'The timeline, oldest first. Internal entries follow the rule of internal comments.' })
  history(
    @Root() ticket: Ticket,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first?: number,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after?: string,
  ) {
    return whenReady(ctx.loaders.historyPages.now(checkedChildPageKey(ticket.id, first, after)), toConnection);
  }
}
