import { createPubSub } from '@graphql-yoga/subscription';
import { setMaxListeners } from 'node:events';

/**
 * What crosses the PubSub when a transaction that wrote timeline entries commits: the highest position
 * it wrote, and nothing else. Hubs read the entries themselves by position (see TimelineHub), and each
 * subscriber's access is applied to the rows, so a message never carries data.
 */
export interface TimelineMessage {
  position: string;
}

export const TIMELINE_TOPIC = 'TIMELINE';

/** A committed in-app notification, by id: its recipient's subscriptions read it themselves. */
export interface NotificationMessage {
  recipientId: string;
  notificationId: string;
}

export const NOTIFICATION_TOPIC = 'NOTIFICATION';

export type RealtimeTopics = { [TIMELINE_TOPIC]: [TimelineMessage]; [NOTIFICATION_TOPIC]: [NotificationMessage] };

/** The in-process PubSub (one instance). Every subscription is a listener: thousands are expected. */
export function createLocalPubSub() {
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  return createPubSub<RealtimeTopics>({ eventTarget });
}

export type PubSub = ReturnType<typeof createLocalPubSub>;
