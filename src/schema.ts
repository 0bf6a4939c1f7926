import type { GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { BusinessResolver, ContactResolver } from './modules/businesses/business.resolver';
import { CommentResolver } from './modules/comments/comment.resolver';
import { NodeResolver } from './modules/node/node.resolver';
import { TagResolver } from './modules/tags/tag.resolver';
import { TicketEventResolver } from './modules/tickets/ticket-event.resolver';
import { TicketResolver } from './modules/tickets/ticket.resolver';
import { TicketWorkflowResolver } from './modules/tickets/ticket-workflow.resolver';
import { UserResolver } from './modules/users/user.resolver';
import type { PubSub } from './modules/realtime/pubsub';
import { RealtimeResolver } from './modules/realtime/realtime.resolver';

export const resolvers = [
  TicketResolver,
  TicketWorkflowResolver,
  TicketEventResolver,
  CommentResolver,
  BusinessResolver,
  ContactResolver,
  UserResolver,
  TagResolver,
  NodeResolver,
  RealtimeResolver,
] as const;

/** Builds the executable schema. `emitSchemaFile` is used by `npm run schema:emit` only. */
export function createSchema(pubSub: PubSub, emitSchemaFile?: string): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers,
    pubSub,
    validate: false,
    // The contract names the scalar DateTime (RFC 3339, e.g. 2026-11-27T15:04:00Z).
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    emitSchemaFile: emitSchemaFile ? { path: emitSchemaFile, sortedSchema: false } : false,
  });
}
