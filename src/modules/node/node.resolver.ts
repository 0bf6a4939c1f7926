import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { ticketSelection } from '../tickets/ticket-read';
import type { Context } from '../../context';
import { badInput } from '../../shared/errors';
import { fromGlobalId } from '../../shared/global-id';
import { Node } from '../../shared/node';

/** Each type's lookup, through the same service (and so the same access rule) as its own query. */
const lookups: Record<string, (ctx: Context, id: string, info: GraphQLResolveInfo) => Promise<Node>> = {
  Ticket: (ctx, id, info) => ctx.services.tickets.get(id, ticketSelection(info, 'ticket')),
  TicketEvent: (ctx, id) => ctx.services.tickets.getEvent(id),
  Comment: (ctx, id) => ctx.services.comments.get(id),
  Business: (ctx, id) => ctx.services.businesses.get(id),
  Contact: (ctx, id) => ctx.services.businesses.getContact(id),
  User: (ctx, id) => ctx.services.users.get(id),
  Tag: (ctx, id) => ctx.services.tags.get(id),
  ApiKey: (ctx, id) => ctx.services.apiKeys.get(id),
  FollowUp: (ctx, id) => ctx.services.followUps.get(id),
  Attachment: (ctx, id) => ctx.services.tickets.getAttachment(id),
  Notification: (ctx, id) => ctx.services.notifications.get(id),
  Problem: (ctx, id) => ctx.services.problems.get(id),
  Macro: (ctx, id) => ctx.services.macros.get(id),
  TicketView: (ctx, id) => ctx.services.views.get(id),
};

@Resolver(() => Node)
export class NodeResolver {
  /** Inherited by every type implementing Node: clients see the global id, never the row key. */
  @FieldResolver(() => ID, { description: 'Globally unique, opaque id; `node(id:)` accepts it.' })
  id(@Root() node: { globalId: string }): string {
    return node.globalId;
  }

  @Query(() => Node, {
    nullable: true,
    description: 'Any object by its id, under the same access rules as its own query (NOT_FOUND when not visible).',
  })
  node(@Arg('id', () => ID, { description: 'An id from any object of this API.' }) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    const lookup = lookups[fromGlobalId(id)?.type ?? ''];
    if (!lookup) throw badInput('id is not an id of this API.', 'id');
    return lookup(ctx, id, info);
  }
}
