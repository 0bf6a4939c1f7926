import { filter, pipe } from '@graphql-yoga/subscription';
import { NOTIFICATION_TOPIC, type NotificationMessage, type PubSub } from '../realtime/pubsub';

/**
 * The announcements of new notifications on this instance, one stream per subscriber, keeping only
 * those addressed to it. The socket it runs on closes when the session ends, expires or is revoked
 * (see server/access-sockets.ts), which ends the stream.
 */
export class NotificationStream {
  constructor(private readonly pubSub: PubSub) {}

  for(recipientId: string): AsyncIterable<NotificationMessage> {
    return pipe(
      this.pubSub.subscribe(NOTIFICATION_TOPIC),
      filter((message: NotificationMessage) => message.recipientId === recipientId),
    );
  }
}
