import type { GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema, getMetadataStorage } from 'type-graphql';
import { BusinessResolver, ContactResolver } from './modules/businesses/business.resolver';
import { CommentResolver } from './modules/comments/comment.resolver';
import { NodeResolver } from './modules/node/node.resolver';
import { TagResolver } from './modules/tags/tag.resolver';
import { TicketEventResolver } from './modules/tickets/ticket-event.resolver';
import { TicketResolver } from './modules/tickets/ticket.resolver';
import { TicketWorkflowResolver } from './modules/tickets/ticket-workflow.resolver';
import { ContactLoginResolver, UserResolver } from './modules/users/user.resolver';
import { ApiKeyResolver } from './modules/users/auth/api-key.resolver';
import { AuditResolver } from './modules/audit/audit.resolver';
import type { PubSub } from './modules/realtime/pubsub';
import { RealtimeResolver, TicketStatusChangeResolver } from './modules/realtime/realtime.resolver';
import { SlaResolver } from './modules/sla/sla.resolver';
import { FollowUpResolver } from './modules/followups/follow-up.resolver';
import { AttachmentResolver } from './modules/intake/attachment.resolver';
import { TriageResolver } from './modules/triage/triage.resolver';
import { AgentProfileResolver, TicketAssignmentResolver } from './modules/assignment/assignment.resolver';
import { SatisfactionResolver } from './modules/satisfaction/satisfaction.resolver';
import { ReportResolver } from './modules/reports/report.resolver';
import { MailStatusResolver } from './modules/mail/mail-status.resolver';
import { NotificationResolver } from './modules/notifications/notification.resolver';
import { AccountMailResolver } from './modules/users/account-mail.resolver';
import { refuseUnstorableArgs } from './shared/storable-input';
import { WebhookResolver } from './modules/webhooks/webhook.resolver';
import { MergeResolver } from './modules/merge/merge.resolver';
import { LinkResolver } from './modules/links/link.resolver';
import { ProblemResolver, ProblemTicketResolver } from './modules/problems/problem.resolver';
import { BulkResolver } from './modules/bulk/bulk.resolver';
import { MacroOwnerResolver, MacroResolver } from './modules/macros/macro.resolver';
import { TicketViewOwnerResolver, TicketViewResolver } from './modules/views/view.resolver';
import { PresenceResolver } from './modules/presence/presence.resolver';

export const resolvers = [
  TicketResolver,
  TicketWorkflowResolver,
  TicketEventResolver,
  CommentResolver,
  BusinessResolver,
  ContactResolver,
  MailStatusResolver,
  UserResolver,
  ContactLoginResolver,
  ApiKeyResolver,
  AuditResolver,
  TagResolver,
  NodeResolver,
  RealtimeResolver,
  TicketStatusChangeResolver,
  SlaResolver,
  FollowUpResolver,
  AttachmentResolver,
  TriageResolver,
  TicketAssignmentResolver,
  AgentProfileResolver,
  SatisfactionResolver,
  ReportResolver,
  WebhookResolver,
  NotificationResolver,
  AccountMailResolver,
  MergeResolver,
  LinkResolver,
  ProblemResolver,
  ProblemTicketResolver,
  BulkResolver,
  MacroResolver,
  MacroOwnerResolver,
  TicketViewResolver,
  TicketViewOwnerResolver,
  PresenceResolver,
] as const;

/**
 * A plain field (a property or getter of its object, under its own name, with no field resolver) is
 * answered by graphql-js's default resolver rather than through type-graphql's wrapper: this project
 * has no middleware and no auth checker, so the wrapper only read the property, at the cost of a call
 * and an object per field answered (some 600 for a page of the board, issue 19). This is type-graphql's
 * own `simple` option, made the default for every field whose decorator does not set it.
 */
function plainFieldsByDefaultResolver(): void {
  for (const field of getMetadataStorage().fields) {
    if (field.name === field.schemaName && !field.middlewares?.length && !field.roles) field.simple ??= true;
  }
}

/** Builds the executable schema (`npm run schema:emit` prints the same one to schema/schema.graphql). */
export async function createSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  plainFieldsByDefaultResolver();
  const schema = await buildSchema({
    resolvers,
    pubSub,
    validate: false,
    // Not class-validator: the services check their inputs; this only refuses what PostgreSQL cannot store.
    // It is synchronous, and so (with the patch of type-graphql in patches/) is every field with arguments
    // whose resolver is: a page of the board completes without a promise per ticket.
    validateFn: refuseUnstorableArgs,
    // The contract names the scalar DateTime (RFC 3339, e.g. 2026-11-27T15:04:00Z).
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
  });
  // type-graphql has no option for the root types' descriptions; they are part of the partner reference.
  schema.getQueryType()!.description = 'Reads. Every list is a keyset-paginated connection; every object obeys the access rules.';
  schema.getMutationType()!.description = 'Writes. Each takes one `input` and is one transaction: a refused mutation writes nothing.';
  schema.getSubscriptionType()!.description =
    'Live updates over graphql-ws on /graphql, sent after the change commits and filtered by the subscriber’s permissions.';
  return schema;
}
