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

function createLoaders(em: EntityManager, actor: Actor) {
  return {
    ...createUserLoaders(em),
    ...createBusinessLoaders(em, actor),
    ...createTagLoaders(em, actor),
    ...createCommentLoaders(em, actor),
    ...createTicketLoaders(em, actor),
    ...createSlaLoaders(em),
    ...createAssignmentLoaders(em),
    ...createAttachmentLoaders(em, actor),
    ...createSatisfactionLoaders(em),
    ...createWebhookLoaders(em, actor),
    ...createMailStatusLoaders(em),
    ...createMergeLoaders(em, actor),
    ...createLinkLoaders(em),
    ...createProblemLoaders(em, actor),
  };
}

function createServices(em: EntityManager, actor: Actor, deps: AppDeps, clientAddress: string, sessionId: string | undefined, loaders: Loaders) {
  const ticketServices = createTicketServices(em, actor, deps.slaSettings, loaders);
  const { tags, sla, tickets, workflow } = ticketServices;
  const businesses = new BusinessService(em, actor);
  const audit = new AuditService(em, actor, clientAddress);
  return {
    ...ticketServices,
    followUps: new FollowUpService(em, actor, tickets),
    intake: new IntakeService(em, actor, sla, workflow, deps.submitLimiter, clientAddress),
    businesses,
    triage: new TriageService(em, actor, tickets, businesses),
    assignment: new AssignmentService(em, actor, tickets, tags),
    users: new UserService(em, actor, deps, audit, { clientAddress, sessionId }),
    accountMail: new AccountMailService(em, actor, deps, deps.accountMail, audit, { clientAddress, sessionId }),
    apiKeys: new ApiKeyService(em, actor, audit, deps.revocations),
    webhooks: new WebhookService(em, actor, audit, deps.webhooks),
    audit,
    satisfaction: new SatisfactionService(em, actor),
    reports: new ReportService(em, actor),
    notifications: new NotificationService(em, actor, deps.notifications),
    mailStatus: new MailStatusService(em, actor, loaders),
    merges: new MergeService(em, actor, tickets, workflow),
    links: new LinkService(em, actor, workflow),
    problems: new ProblemService(em, actor),
    bulk: new BulkService(em, actor, { slaSettings: deps.slaSettings, loaders }),
    macros: new MacroService(em, actor, { slaSettings: deps.slaSettings, loaders }),
    views: new ViewService(em, actor, tickets),
    presence: new PresenceService(actor, tickets, deps.presence),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
export type Services = ReturnType<typeof createServices>;

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
      const loaders = createLoaders(em, this.actor);
      this.scoped = { em, loaders, services: createServices(em, this.actor, this.deps, this.clientAddress, this.authentication.sessionId, loaders) };
    }
    return this.scoped;
  }
}
