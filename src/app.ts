import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { startJobs } from './jobs';
import Redis from 'ioredis';
import { createSubmitLimiter } from './modules/intake/rate-limit';
import { createLimiter } from './shared/rate-limiter';
import type { Config } from './config';
import { openDatabase, type Database } from './db/database';
import { DeadlineGuard } from './db/deadline-guard';
import { isEmpty, seedDemo, type DemoLogin } from './db/seeders/demo';
import { createSchema } from './schema';
import { startHttpServer } from './server/http';
import { Metrics } from './server/metrics/metrics';
import { startMetricsServer } from './server/metrics/metrics-endpoint';
import { RequestRateLimits } from './server/limits/rate-limits';
import { loadOrCreateJwtSecret } from './modules/users/auth/jwt-secret';
import { TokenService } from './modules/users/auth/tokens';
import { LoginThrottle } from './modules/users/auth/login-throttle';
import { RevocationBus } from './modules/users/auth/revocations';
import { CredentialCache } from './modules/users/auth/credential-cache';
import { ChangeNotices } from './db/change-notices';
import { SlaSettings } from './modules/sla/sla-settings';
import { ensureAdmin } from './modules/users/user.service';
import { createLocalPubSub } from './modules/realtime/pubsub';
import { createRedisPubSub } from './modules/realtime/redis-pubsub';
import { TimelineHub } from './modules/realtime/timeline-hub';
import { TimelinePublisher } from './modules/realtime/timeline-publisher';
import { FeedConsumers } from './modules/feed/consumers';
import { rollUpConsumer } from './modules/reports/roll-up.writer';
import { DeliveryDispatcher } from './modules/deliveries/dispatcher';
import { createMailTransport } from './modules/mail/mail-transport';
import { MailChannel } from './modules/mail/mail.channel';
import { webhookConsumer } from './modules/webhooks/webhook.consumer';
import { WebhookChannel } from './modules/webhooks/webhook.channel';
import { Notifier } from './modules/notifications/notifier';
import { notificationConsumer } from './modules/notifications/notification.consumer';
import { NotificationPublisher } from './modules/notifications/notification.publisher';
import { NotificationStream } from './modules/notifications/notification-stream';
import { customerMailConsumer } from './modules/mail/customer-mail.consumer';
import { mailLinkKey } from './modules/mail/mail-links';
import { replyTokenKey } from './modules/intake/email/reply-token';
import { PresenceHub } from './modules/presence/presence-hub';
import { MemoryPresenceStore, RedisPresenceStore } from './modules/presence/presence-store';

export interface App {
  url: string;
  port: number;
  database: Database;
  /** The timeline's consumers; running unless FEED_CONSUMERS=false (they can still be caught up by hand). */
  consumers: FeedConsumers;
  /** Sends outgoing mail and webhooks; running with the consumers (`runDue()` sends what is due by hand). */
  deliveries: DeliveryDispatcher;
  /** Staff notifications: what the 'notifications' consumer uses, and `notifyAdmins` for notices outside the timeline. */
  notifier: Notifier;
  /** The port of the metrics' own listener, when METRICS_PORT is set. */
  metricsPort?: number;
  /** The demo logins, when this start loaded the demo data. */
  demoLogins?: DemoLogin[];
  /**
   * Resolves once the background work that commits so far set off has ended: their change notices
   * heard (caches updated) and the timeline hub's reads for them done. Tests count statements only
   * from such a point, so that no earlier work lands in the measured window.
   */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts everything in order: PubSub (Redis or in-process), database (and migrations), admin account,
 * demo data for an empty embedded database, schema, HTTP + WebSocket, the timeline's consumers and
 * the deliveries they decide, background jobs. `stop()` (or a
 * failure half-way) closes what was started, in reverse order.
 */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  const started: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of started.reverse()) await close();
  };
  try {
    const shared = config.redisUrl ? createRedisPubSub(config.redisUrl, logger) : undefined;
    if (shared) started.push(() => shared.close());
    const pubSub = shared?.pubSub ?? createLocalPubSub();

    const database = await openDatabase(config.databaseUrl, config.dataDir, logger, config.database, [new TimelinePublisher(pubSub), new NotificationPublisher(pubSub), new DeadlineGuard()]);
    started.push(() => database.close());
    const em = database.orm.em.fork();
    if (config.admin && (await ensureAdmin(em, config.admin))) logger.info({ email: config.admin.email }, 'admin created');
    // Only an embedded database is ever filled by itself: a DATABASE_URL may point at real data.
    const demoLogins = database.embedded && (await isEmpty(em)) ? await seedDemo(em) : undefined;

    const secret = config.jwtSecret ?? (await loadOrCreateJwtSecret(config.dataDir));
    const tokens = new TokenService(secret, config.tokenTtlSeconds);
    const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 }) : undefined;
    if (redis) {
      await redis.connect();
      started.push(() => redis.quit());
    }
    const submitLimiter = createSubmitLimiter(config.submitRateLimit.points, config.submitRateLimit.windowSeconds, redis);
    const loginThrottle = new LoginThrottle(config.loginThrottle, redis);
    const revocations = new RevocationBus(config.redisUrl, logger);
    started.push(() => revocations.close());
    const notices = new ChangeNotices(database.orm.config.get('clientUrl')!, logger);
    await notices.start();
    started.push(() => notices.stop());
    const credentials = new CredentialCache(notices);
    const slaSettings = new SlaSettings(notices);
    const timeline = new TimelineHub(database.orm, pubSub, logger);
    started.push(() => timeline.stop());
    const schema = await createSchema(pubSub);
    const rateLimits = new RequestRateLimits(config.requestRateLimit, redis);
    const notifications = new NotificationStream(pubSub);
    const mailSettings = { mailFrom: config.mailFrom, publicUrl: config.publicUrl };
    const accountMail = {
      mail: mailSettings,
      invitationTtlSeconds: config.accountMail.invitationTtlSeconds,
      passwordResetTtlSeconds: config.accountMail.passwordResetTtlSeconds,
      resetLimiter: createLimiter({ keyPrefix: 'password-reset', points: config.accountMail.resetRequestsPerHour, durationSeconds: 3600 }, redis),
    };
    const presence = new PresenceHub(config.redisUrl ? new RedisPresenceStore(config.redisUrl, logger) : new MemoryPresenceStore(), logger);
    started.push(() => presence.stop());
    const deps = { orm: database.orm, tokens, logger, submitLimiter, rateLimits, timeline, loginThrottle, revocations, credentials, slaSettings, notifications, accountMail, webhooks: config.webhooks, presence };
    const linkKey = mailLinkKey(secret);
    const metrics = config.metrics.token !== undefined || config.metrics.port !== undefined ? new Metrics() : undefined;
    const http = await startHttpServer(deps, schema, config, linkKey, { metrics, redis });
    started.push(() => http.stop());
    const consumers = new FeedConsumers(database.orm, pubSub, logger, config.feed);
    consumers.register(rollUpConsumer);
    const notifier = new Notifier(mailSettings);
    consumers.register(notificationConsumer(notifier));
    consumers.register(
      customerMailConsumer({
        ...mailSettings,
        replyKey: config.inboundEmailSecret ? replyTokenKey(config.inboundEmailSecret) : null,
        linkKey,
        cap: config.mailCap,
      }),
    );
    const mail = createMailTransport(config.smtpUrl, config.dataDir, logger);
    started.push(async () => mail.close());
    const deliveries = new DeliveryDispatcher(database.orm, logger, config.deliveries);
    deliveries.register(new MailChannel(mail, config.mailFrom));
    consumers.register(webhookConsumer);
    deliveries.register(new WebhookChannel(config.webhooks, logger, notifier));
    if (config.feed.consumers) {
      consumers.start();
      started.push(() => consumers.stop());
      deliveries.start();
      started.push(() => deliveries.stop());
    }
    const jobs = startJobs(database.orm.em as EntityManager, config, logger);
    started.push(() => jobs.stop());
    if (metrics) {
      metrics.watchPool(database.orm);
      metrics.watchFeed(database.orm);
      metrics.watchDeliveries(deliveries);
    }
    const metricsServer = metrics && config.metrics.port !== undefined ? await startMetricsServer(metrics, config.metrics.port, config.metrics.token) : undefined;
    if (metricsServer) started.push(() => metricsServer.close());
    return {
      url: `http://localhost:${http.port}/graphql`,
      port: http.port,
      database,
      consumers,
      deliveries,
      notifier,
      metricsPort: metricsServer?.port,
      demoLogins,
      async settled() {
        await notices.caughtUp().catch(() => undefined);
        await timeline.settled();
      },
      stop: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
