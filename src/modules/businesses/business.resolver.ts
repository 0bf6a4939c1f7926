import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { notFound } from '../../shared/errors';
import { AFTER_DESCRIPTION, Connection, FIRST_DESCRIPTION, toConnection } from '../../shared/pagination';
import { TicketFilter } from '../tickets/ticket.inputs';
import { TicketConnection } from '../tickets/ticket.payloads';
import { ticketSelection } from '../tickets/ticket-read';
import { User } from '../users/user.entity';
import { Business } from './business.entity';
import { CreateBusinessInput, CreateContactInput } from './business.inputs';
import { Contact } from './contact.entity';

const BusinessConnection = Connection(Business, 'Business');

@Resolver(() => Business)
export class BusinessResolver {
  @Query(() => Business, { nullable: true, description: 'One business. A customer sees only its own; others answer NOT_FOUND.' })
  business(@Arg('id', () => ID, { description: 'The business id.' }) id: string, @Ctx() ctx: Context) {
    return ctx.services.businesses.get(id);
  }

  @Query(() => BusinessConnection, { description: 'Businesses by name. A customer sees only its own.' })
  async businesses(
    @Ctx() ctx: Context,
    @Arg('search', () => String, { nullable: true, description: 'Part of the name or domain, case ignored.' }) search?: string,
    @Arg('first', () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first?: number,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after?: string,
  ) {
    return toConnection(await ctx.services.businesses.list({ search, first, after }));
  }

  @Mutation(() => Business, { description: 'Create a customer company (staff, or a key with TICKETS_WRITE).' })
  createBusiness(@Arg('input', () => CreateBusinessInput, { description: INPUT }) input: CreateBusinessInput, @Ctx() ctx: Context) {
    return ctx.services.businesses.create(input);
  }

  @Mutation(() => Contact, { description: 'Create a person at a business; with a password, the contact can log in as a customer.' })
  createContact(@Arg('input', () => CreateContactInput, { description: INPUT }) input: CreateContactInput, @Ctx() ctx: Context) {
    return ctx.services.businesses.createContact(input);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The staff member who manages the account.' })
  accountManager(@Root() business: Business, @Ctx() ctx: Context) {
    return business.accountManager && ctx.loaders.users.now(business.accountManager.id);
  }

  @FieldResolver(() => [Contact], { description: 'Its contacts, by name (empty for a viewer who may not read the business, e.g. in a mutation payload).' })
  contacts(@Root() business: Business, @Ctx() ctx: Context) {
    return ctx.loaders.contactsByBusiness.load(business.id);
  }

  @FieldResolver(() => TicketConnection, { description: 'Its tickets, newest first, with the same filter as `tickets`.' })
  async tickets(
    @Root() business: Business,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('filter', () => TicketFilter, { nullable: true, description: 'What to include.' }) filter?: TicketFilter,
    @Arg('first', () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first?: number,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after?: string,
  ) {
    const page = await ctx.services.tickets.list({ filter: { ...filter, businessId: business.globalId }, first, after }, ticketSelection(info, 'connection'));
    return toConnection(page);
  }
}

@Resolver(() => Contact)
export class ContactResolver {
  @FieldResolver(() => Business, { description: 'The business the contact works for. NOT_FOUND for a viewer who may not read it (a key without TICKETS_READ).' })
  async business(@Root() contact: Contact, @Ctx() ctx: Context) {
    return (await ctx.loaders.businesses.load(contact.business.id)) ?? Promise.reject(notFound('Business'));
  }
}
