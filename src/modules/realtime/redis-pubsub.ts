import Redis from 'ioredis';
import type { Logger } from 'pino';
import { createLocalPubSub, TIMELINE_TOPIC, type PubSub, type TimelineMessage } from './pubsub';

const CHANNEL = 'ticketgraph:timeline';

/**
 * The PubSub across instances: publishing goes to a Redis channel; every instance (this one
 * included) hears it there and fans it out to its own subscribers through an in-process PubSub.
 * ioredis reconnects and re-subscribes by itself when Redis restarts, and holds publishes made while
 * it is away until it is back, so subscribers resume without a server restart.
 */
export function createRedisPubSub(url: string, logger: Logger): { pubSub: PubSub; close(): Promise<void> } {
  const local = createLocalPubSub();
  const publisher = new Redis(url, { lazyConnect: false });
  const subscriber = new Redis(url, { lazyConnect: false });
  for (const client of [publisher, subscriber]) {
    client.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection problem'));
  }
  void subscriber.subscribe(CHANNEL);
  subscriber.on('message', (_channel: string, raw: string) => {
    try {
      local.publish(TIMELINE_TOPIC, JSON.parse(raw) as TimelineMessage);
    } catch (error) {
      logger.error({ err: error }, 'unreadable timeline message from redis');
    }
  });
  const pubSub: PubSub = {
    ...local,
    publish: (_topic, message) => {
      void publisher.publish(CHANNEL, JSON.stringify(message)).catch((error: Error) => logger.error({ err: error.message }, 'publish failed'));
    },
  };
  return {
    pubSub,
    async close() {
      await Promise.allSettled([subscriber.quit(), publisher.quit()]);
    },
  };
}
