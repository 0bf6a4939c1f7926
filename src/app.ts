import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { startJobs } from './jobs';
import Redis from 'ioredis';
import { createSubmitLimiter } from './modules/intake/rate-limit';
import type { Config } from './config';
import { openDatabase, type Database } from './db/database';
import { isEmpty, seedDemo, type DemoLogin } from './db/seeders/demo';
import { createSchema } from './schema';
import { startHttpServer, type HttpServer } from './server/http';
import { loadOrCreateJwtSecret } from './modules/users/auth/jwt-secret';
import { TokenService } from './modules/users/auth/tokens';
import { ensureAdmin } from './modules/users/user.service';
import { createLocalPubSub } from './modules/realtime/pubsub';
import { TimelinePublisher } from './modules/realtime/timeline-publisher';

export interface App {
  url: string;
  port: number;
  database: Database;
  /** The demo logins, when this start loaded the demo data. */
  demoLogins?: DemoLogin[];
  stop(): Promise<void>;
}

/**
 * Starts everything in order: database (and migrations), admin account, demo data for an empty
 * embedded database, schema, HTTP + WebSocket, background jobs. `stop()` undoes it in reverse order.
 */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  const pubSub = createLocalPubSub();
  const database = await openDatabase(config.databaseUrl, config.dataDir, logger, [new TimelinePublisher(pubSub)]);
  let http: HttpServer | undefined;
  let redis: Redis | undefined;
  try {
    const em = database.orm.em.fork();
    if (config.admin && (await ensureAdmin(em, config.admin))) logger.info({ email: config.admin.email }, 'admin created');
    // Only an embedded database is ever filled by itself: a DATABASE_URL may point at real data.
    const demoLogins = database.embedded && (await isEmpty(em)) ? await seedDemo(em) : undefined;

    const secret = config.jwtSecret ?? (await loadOrCreateJwtSecret(config.dataDir));
    const tokens = new TokenService(secret, config.tokenTtlSeconds);
    const schema = await createSchema(pubSub);
    redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 }) : undefined;
    await redis?.connect();
    const submitLimiter = createSubmitLimiter(config.submitRateLimit.points, config.submitRateLimit.windowSeconds, redis);
    http = await startHttpServer({ orm: database.orm, tokens, logger, pubSub, submitLimiter }, schema, config);
    const server = http;
    const redisClient = redis;
    const jobs = startJobs(database.orm.em as EntityManager, config, logger);
    return {
      url: `http://localhost:${server.port}/graphql`,
      port: server.port,
      database,
      demoLogins,
      async stop() {
        await jobs.stop();
        await server.stop();
        await redisClient?.quit();
        await database.close();
      },
    };
  } catch (error) {
    await http?.stop();
    redis?.disconnect();
    await database.close();
    throw error;
  }
}
