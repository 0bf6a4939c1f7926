import type { GraphQLResolveInfo } from 'graphql';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { AFTER_DESCRIPTION, FIRST_DESCRIPTION, toConnection } from '../../shared/pagination';
import { DeletedPayload } from '../macros/macro.payloads';
import { ticketSelection } from '../tickets/ticket-read';
import { TicketConnection } from '../tickets/ticket.payloads';
import { ownedFieldsResolver } from '../access/owned-fields.resolver';
import { watchViewCounts, VIEW_COUNT_INTERVAL_MS } from './view-counts';
import { TicketView } from './view.entity';
import { CreateViewInput, UpdateViewInput, ViewRefInput } from './view.inputs';
import { ViewCount } from './view.payloads';

const STAFF_ONLY = 'Staff accounts only (customers and API keys: FORBIDDEN).';

@Resolver(() => TicketView)
export class TicketViewResolver {
  @Query(() => [TicketView], { description: `The views you may use: the shared ones and your own, by name. ${STAFF_ONLY}` })
  views(@Ctx() ctx: Context) {
    return ctx.services.views.list();
  }

  @Mutation(() => TicketView, { description: `Saves a ticket filter and order as a view, personal or (admins) shared. ${STAFF_ONLY}` })
  createView(@Arg('input', () => CreateViewInput, { description: INPUT }) input: CreateViewInput, @Ctx() ctx: Context) {
    return ctx.services.views.create(input);
  }

  @Mutation(() => TicketView, { description: `Replaces a view’s name, filter and order: your own, or (admins) a shared one. ${STAFF_ONLY}` })
  updateView(@Arg('input', () => UpdateViewInput, { description: INPUT }) input: UpdateViewInput, @Ctx() ctx: Context) {
    return ctx.services.views.update(input);
  }

  @Mutation(() => DeletedPayload, { description: `Deletes a view: your own, or (admins) a shared one. ${STAFF_ONLY}` })
  async deleteView(@Arg('input', () => ViewRefInput, { description: INPUT }) input: ViewRefInput, @Ctx() ctx: Context) {
    return { deletedId: await ctx.services.views.delete(input.viewId) };
  }

  @Subscription(() => ViewCount, {
    description:
      'Live ticket counts of views: first the current count of each, then a view’s new count whenever a change makes it differ ' +
      `(changes are gathered for ${VIEW_COUNT_INTERVAL_MS} ms, so a burst sends one count). Counted under your visibility. ${STAFF_ONLY}`,
    subscribe: async ({ args, context }) => {
      const ctx = context as Context;
      const ids = (args.viewIds as string[] | undefined) ?? null;
      const views = ids ? await Promise.all(ids.map((id) => ctx.services.views.get(id))) : await ctx.services.views.list();
      return watchViewCounts(ctx, views);
    },
  })
  viewCountChanged(
    @Root() change: ViewCount,
    @Arg('viewIds', () => [ID], { nullable: true, description: 'These views; omitted: every view you may use.' }) _viewIds?: string[],
  ): ViewCount {
    return change;
  }

  @FieldResolver(() => Int, { description: 'How many tickets it lists now, under your visibility.' })
  count(@Root() view: TicketView, @Ctx() ctx: Context) {
    return ctx.services.views.count(view);
  }

  @FieldResolver(() => TicketConnection, { description: 'Its tickets, in its order, as `tickets(filter, orderBy)` answers them.' })
  async tickets(
    @Root() view: TicketView,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
    @Arg('first', () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first?: number,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after?: string,
  ) {
    return toConnection(await ctx.services.views.ticketsOf(view, { first, after }, ticketSelection(info, 'connection')));
  }

  @FieldResolver(() => GraphQLJSONObject, { description: 'Its filter, in the shape of the TicketFilter input (dates as RFC 3339 strings).' })
  filter(@Root() view: TicketView) {
    return view.filter;
  }

  @FieldResolver(() => GraphQLJSONObject, { nullable: true, description: 'Its order, in the shape of the TicketOrder input; null: CREATED_AT DESC.' })
  orderBy(@Root() view: TicketView) {
    return view.orderBy;
  }
}

export const TicketViewOwnerResolver = ownedFieldsResolver(TicketView, 'view');
