import Redis from 'ioredis';
import type { Logger } from 'pino';
import { createLocalPubSub, NOTIFICATION_TOPIC, TIMELINE_TOPIC, type PubSub, type RealtimeTopics } from './pubsub';

type Topic = keyof RealtimeTopics;

/** The Redis channel of each topic. */
const CHANNELS: Record<Topic, string> = { [TIMELINE_TOPIC]: 'ticketgraph:timeline', [NOTIFICATION_TOPIC]: 'ticketgraph:notifications' };
const TOPICS = new Map(Object.entries(CHANNELS).map(([topic, channel]) => [channel, topic as Topic]));

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
  void subscriber.subscribe(...Object.values(CHANNELS));
  subscriber.on('message', (channel: string, raw: string) => {
    const topic = TOPICS.get(channel);
    if (!topic) return;
    try {
      local.publish(topic, JSON.parse(raw) as never);
    } catch (error) {
      logger.error({ err: error, channel }, 'unreadable message from redis');
    }
  });
  const pubSub: PubSub = {
    ...local,
    publish: (topic, message) => {
      void publisher.publish(CHANNELS[topic], JSON.stringify(message)).catch((error: Error) => logger.error({ err: error.message }, 'publish failed'));
    },
  };
  return {
    pubSub,
    async close() {
      await Promise.allSettled([subscriber.quit(), publisher.quit()]);
    },
  };
}
