import type { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { IntakeService } from './modules/intake/intake.service';
import type { TimelineHub } from './modules/realtime/timeline-hub';
import { createAttachmentLoaders } from './modules/intake/attachment.loaders';
import { TriageService } from './modules/triage/triage.service';
import { AssignmentService } from './modules/assignment/assignment.service';
import { createAssignmentLoaders } from './modules/assignment/assignment.loaders';
import { createBusinessLoaders } from './modules/businesses/business.loaders';
import { BusinessService } from './modules/businesses/business.service';
import { createCommentLoaders } from './modules/comments/comment.loaders';
import { createTagLoaders } from './modules/tags/tag.loaders';
import { SatisfactionService } from './modules/satisfaction/satisfaction.service';
import { createSatisfactionLoaders } from './modules/satisfaction/satisfaction.loaders';
import { ReportService } from './modules/reports/report.service';
import { FollowUpService } from './modules/followups/follow-up.service';
import { createSlaLoaders } from './modules/sla/sla.loaders';
import { createTicketLoaders } from './modules/tickets/ticket.loaders';
import type { Actor } from './modules/users/auth/actor';
import { createTicketServices } from './ticket-services';
import type { RequestRateLimits } from './server/limits/rate-limits';
import { ApiKeyService } from './modules/users/auth/api-key.service';
import { authenticate, type Authentication } from './modules/users/auth/authenticate';
import type { TokenService } from './modules/users/auth/tokens';
import type { LoginThrottle } from './modules/users/auth/login-throttle';
import type { RevocationBus } from './modules/users/auth/revocations';
import type { CredentialCache } from './modules/users/auth/credential-cache';
import type { SlaSettings } from './modules/sla/sla-settings';
import { AuditService } from './modules/audit/audit.service';
import { createUserLoaders } from './modules/users/user.loaders';
import { createMailStatusLoaders, MailStatusService } from './modules/mail/mail-status.service';
import { UserService } from './modules/users/user.service';
import { WebhookService } from './modules/webhooks/webhook.service';
import { createWebhookLoaders } from './modules/webhooks/webhook.loaders';
import type { WebhookSettings } from './config';
import { NotificationService } from './modules/notifications/notification.service';
import { AccountMailService, type AccountMailDeps } from './modules/users/account-mail.service';
import type { NotificationStream } from './modules/notifications/notification-stream';
import { MergeService } from './modules/merge/merge.service';
import { createMergeLoaders } from './modules/merge/merge.loaders';
import { LinkService } from './modules/links/link.service';
import { createLinkLoaders } from './modules/links/link.loaders';
import { ProblemService } from './modules/problems/problem.service';
import { createProblemLoaders } from './modules/problems/problem.loaders';
import { BulkService } from './modules/bulk/bulk.service';
import { MacroService } from './modules/macros/macro.service';
import { ViewService } from './modules/views/view.service';
import { PresenceService } from './modules/presence/presence.service';
import { madeOnFirstUse } from './shared/made-on-first-use';
import type { PresenceHub } from './modules/presence/presence-hub';

/** What lives as long as the process: shared by every request's context. */
export interface AppDeps {
  orm: MikroORM;
  tokens: TokenService;
  logger: Logger;
  /** Limits public ticket submissions per client address. */
  submitLimiter: RateLimiterAbstract;
  /** Limits GraphQL requests and subscribe messages per API key, user, contact or anonymous address. */
  rateLimits: RequestRateLimits;
  /** Reads each published timeline entry once and offers it to every subscription. */
  timeline: TimelineHub;
  /** Counts failed logins per email and per client address. */
  loginThrottle: LoginThrottle;
  /** Tells every instance which sessions, accounts and keys lost access, so their connections close. */
  revocations: RevocationBus;
  /** Live sessions and API keys, so a request is authenticated without a statement (dropped on every change). */
  credentials: CredentialCache;
  /** The SLA targets of each priority, cached until a policy or the business hours change. */
  slaSettings: SlaSettings;
  /** Checks of webhook endpoint URLs (private addresses allowed or not). */
  webhooks: WebhookSettings;
  /** New in-app notifications as they commit, on every instance, for `notificationAdded`. */
  notifications: NotificationStream;
  /** Invitations and password resets: mail settings, link lifetimes, the reset-request limit. */
  accountMail: AccountMailDeps;
  /** Who views and who is writing on each ticket, across instances. */
  presence: PresenceHub;
}

/** What the loaders of a request are made from. */
interface LoaderInput {
  em: EntityManager;
  actor: Actor;
}

// Each module's loaders are one group: its members share their batches and caches.
const userLoaders = ({ em }: LoaderInput) => createUserLoaders(em);
const businessLoaders = ({ em, actor }: LoaderInput) => createBusinessLoaders(em, actor);
const tagLoaders = ({ em, actor }: LoaderInput) => createTagLoaders(em, actor);
const commentLoaders = ({ em, actor }: LoaderInput) => createCommentLoaders(em, actor);
const ticketLoaders = ({ em, actor }: LoaderInput) => createTicketLoaders(em, actor);
const assignmentLoaders = ({ em }: LoaderInput) => createAssignmentLoaders(em);
const problemLoaders = ({ em, actor }: LoaderInput) => createProblemLoaders(em, actor);

/** A request's loaders, each made when a resolver first reads it (see madeOnFirstUse). */
const RequestLoaders = madeOnFirstUse<LoaderInput>()({
  users: (p) => p.group(userLoaders).users,
  businesses: (p) => p.group(businessLoaders).businesses,
  contacts: (p) => p.group(businessLoaders).contacts,
  contactsByBusiness: (p) => p.group(businessLoaders).contactsByBusiness,
  tagUsage: (p) => p.group(tagLoaders).tagUsage,
  tagsByTicket: (p) => p.group(tagLoaders).tagsByTicket,
  comments: (p) => p.group(commentLoaders).comments,
  commentPages: (p) => p.group(commentLoaders).commentPages,
  commentCounts: (p) => p.group(commentLoaders).commentCounts,
  visibleTickets: (p) => p.group(ticketLoaders).visibleTickets,
  history: (p) => p.group(ticketLoaders).history,
  historyPages: (p) => p.group(ticketLoaders).historyPages,
  historyCounts: (p) => p.group(ticketLoaders).historyCounts,
  slaTargets: ({ input }) => createSlaLoaders(input.em).slaTargets,
  openTicketCounts: (p) => p.group(assignmentLoaders).openTicketCounts,
  expertise: (p) => p.group(assignmentLoaders).expertise,
  attachmentsByTicket: ({ input }) => createAttachmentLoaders(input.em, input.actor).attachmentsByTicket,
  ratings: ({ input }) => createSatisfactionLoaders(input.em).ratings,
  webhookDeliveryPages: ({ input }) => createWebhookLoaders(input.em, input.actor).webhookDeliveryPages,
  mailRecipients: ({ input }) => createMailStatusLoaders(input.em).mailRecipients,
  ticketContacts: ({ input }) => createMergeLoaders(input.em, input.actor).ticketContacts,
  ticketLinks: ({ input }) => createLinkLoaders(input.em).ticketLinks,
  problemTicketCounts: (p) => p.group(problemLoaders).problemTicketCounts,
  problemsByTicket: (p) => p.group(problemLoaders).problemsByTicket,
});

/** What the services of a request are made from. */
interface ServiceInput extends LoaderInput {
  deps: AppDeps;
  clientAddress: string;
  sessionId: string | undefined;
  loaders: Loaders;
}

// Services that others are made with: one of each per request.
const ticketServices = ({ em, actor, deps, loaders }: ServiceInput) => createTicketServices(em, actor, deps.slaSettings, loaders);
const businessService = ({ em, actor }: ServiceInput) => new BusinessService(em, actor);
const auditService = ({ em, actor, clientAddress }: ServiceInput) => new AuditService(em, actor, clientAddress);
const sessionOf = ({ clientAddress, sessionId }: ServiceInput) => ({ clientAddress, sessionId });

/** A request's services, each made when a resolver first reads it (see madeOnFirstUse). */
const RequestServices = madeOnFirstUse<ServiceInput>()({
  tags: (p) => p.group(ticketServices).tags,
  sla: (p) => p.group(ticketServices).sla,
  tickets: (p) => p.group(ticketServices).tickets,
  workflow: (p) => p.group(ticketServices).workflow,
  comments: (p) => p.group(ticketServices).comments,
  followUps: (p) => new FollowUpService(p.input.em, p.input.actor, p.group(ticketServices).tickets),
  intake: (p) => {
    const { em, actor, deps, clientAddress } = p.input;
    const { sla, workflow } = p.group(ticketServices);
    return new IntakeService(em, actor, sla, workflow, deps.submitLimiter, clientAddress);
  },
  businesses: (p) => p.group(businessService),
  triage: (p) => new TriageService(p.input.em, p.input.actor, p.group(ticketServices).tickets, p.group(businessService)),
  assignment: (p) => new AssignmentService(p.input.em, p.input.actor, p.group(ticketServices).tickets, p.group(ticketServices).tags),
  users: (p) => new UserService(p.input.em, p.input.actor, p.input.deps, p.group(auditService), sessionOf(p.input)),
  accountMail: (p) => new AccountMailService(p.input.em, p.input.actor, p.input.deps, p.input.deps.accountMail, p.group(auditService), sessionOf(p.input)),
  apiKeys: (p) => new ApiKeyService(p.input.em, p.input.actor, p.group(auditService), p.input.deps.revocations),
  webhooks: (p) => new WebhookService(p.input.em, p.input.actor, p.group(auditService), p.input.deps.webhooks),
  audit: (p) => p.group(auditService),
  satisfaction: ({ input }) => new SatisfactionService(input.em, input.actor),
  reports: ({ input }) => new ReportService(input.em, input.actor),
  notifications: ({ input }) => new NotificationService(input.em, input.actor, input.deps.notifications),
  mailStatus: ({ input }) => new MailStatusService(input.em, input.actor, input.loaders),
  merges: (p) => new MergeService(p.input.em, p.input.actor, p.group(ticketServices).tickets, p.group(ticketServices).workflow),
  links: (p) => new LinkService(p.input.em, p.input.actor, p.group(ticketServices).workflow),
  problems: ({ input }) => new ProblemService(input.em, input.actor),
  bulk: ({ input }) => new BulkService(input.em, input.actor, { slaSettings: input.deps.slaSettings, loaders: input.loaders }),
  macros: ({ input }) => new MacroService(input.em, input.actor, { slaSettings: input.deps.slaSettings, loaders: input.loaders }),
  views: (p) => new ViewService(p.input.em, p.input.actor, p.group(ticketServices).tickets),
  presence: (p) => new PresenceService(p.input.actor, p.group(ticketServices).tickets, p.input.deps.presence),
});

export type Loaders = InstanceType<typeof RequestLoaders>;
export type Services = InstanceType<typeof RequestServices>;

/** Everything a resolver sees. Built per HTTP request, and per operation on a WebSocket. */
export interface Context {
  actor: Actor;
  /** A fork of the ORM: its identity map belongs to this request alone. */
  em: EntityManager;
  loaders: Loaders;
  services: Services;
  logger: Logger;
  timeline: TimelineHub;
  /** When the session token (or a rotated-out key secret) runs out (ms since the epoch); a subscription ends then. */
  expiresAt?: number;
  /** What the access is held through; a WebSocket connection closes when one of them is revoked. */
  principals: string[];
  /**
   * Gives this context a new ORM fork, loaders and services for the same actor. A subscription calls
   * it before each execution, so nothing read for one message is served stale for the next.
   */
  freshen(): void;
}

/**
 * The one context builder for HTTP and WebSocket. Loaders and services close over this request's
 * fork and actor, so a cached row is never shared between two viewers.
 */
export async function createContext(deps: AppDeps, authorization: string | undefined, clientAddress = 'unknown'): Promise<Context> {
  return contextOf(deps, await authenticate(() => deps.orm.em.fork() as EntityManager, deps, authorization), clientAddress);
}

/**
 * A context for an actor proved by something other than a request's credentials: the signed link of a
 * mail, which acts as the ticket's contact (mail/customer-mail.router.ts). No session, no principals.
 */
export function contextForActor(deps: AppDeps, actor: Actor, clientAddress: string): Context {
  return contextOf(deps, { actor, principals: [] }, clientAddress);
}

function contextOf(deps: AppDeps, authentication: Authentication, clientAddress: string): Context {
  return new RequestContext(deps, authentication, clientAddress);
}

/**
 * The fork, loaders and services are made when first used: a subscription message or a request that
 * needs none of them (`{ __typename }`, a refused one) costs no allocation for them. They are reached
 * through accessors on the prototype, not own getters: Apollo copies a context's own properties into a
 * new object for each operation, which would read every own getter and so make them all.
 */
class RequestContext implements Context {
  readonly actor: Actor;
  readonly expiresAt?: number;
  readonly principals: string[];
  readonly logger: Logger;
  readonly timeline: TimelineHub;
  // Plain (not #private) fields: Apollo's copy of the context must carry them.
  private scoped: { em: EntityManager; loaders: Loaders; services: Services } | undefined;

  constructor(
    private readonly deps: AppDeps,
    private readonly authentication: Authentication,
    private readonly clientAddress: string,
  ) {
    this.actor = authentication.actor;
    this.expiresAt = authentication.expiresAt;
    this.principals = authentication.principals;
    this.logger = deps.logger;
    this.timeline = deps.timeline;
  }

  get em(): EntityManager {
    return this.current().em;
  }

  get loaders(): Loaders {
    return this.current().loaders;
  }

  get services(): Services {
    return this.current().services;
  }

  freshen(): void {
    this.scoped = undefined;
  }

  private current() {
    if (!this.scoped) {
      const em = this.deps.orm.em.fork() as EntityManager;
      const { actor, deps, clientAddress } = this;
      const loaders = new RequestLoaders({ em, actor });
      this.scoped = { em, loaders, services: new RequestServices({ em, actor, deps, clientAddress, sessionId: this.authentication.sessionId, loaders }) };
    }
    return this.scoped;
  }
}
