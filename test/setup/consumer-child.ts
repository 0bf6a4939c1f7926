/**
 * A recording consumer in a process of its own (feed-consumers.test.ts kills it with SIGKILL
 * mid-batch). Prints "batch" once each batch is recorded and not yet committed, then waits in the
 * batch's transaction. Env: DATABASE_URL, CONSUMER, BATCH, FEED_LEASE_SECONDS.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { ormConfig } from '../../src/db/mikro-orm.config';
import { FeedConsumers } from '../../src/modules/feed/consumers';
import { createLocalPubSub } from '../../src/modules/realtime/pubsub';
import { recordingConsumer } from './recording-consumer';

async function main() {
  const config = loadConfig({ ...process.env, JWT_SECRET: 'child-secret-child-secret-child-secret-0123' });
  const orm = await MikroORM.init(ormConfig(config.databaseUrl!, config.database));
  const consumers = new FeedConsumers(orm, createLocalPubSub(), pino({ level: 'silent' }), config.feed);
  consumers.register(
    recordingConsumer(process.env.CONSUMER!, Number(process.env.BATCH), async (em) => {
      process.stdout.write('batch\n');
      await em.execute('select pg_sleep(0.3)');
    }),
  );
  consumers.start();
}

void main();
