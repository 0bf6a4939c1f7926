import { createPubSub } from '@graphql-yoga/subscription';
import { setMaxListeners } from 'node:events';

/**
 * What crosses the PubSub for each committed timeline entry: ids only. Each subscriber reloads the
 * rows with its own permissions, so a message never carries data one viewer may see and another not.
 */
export interface TimelineMessage {
  eventId: string;
  ticketId: string;
  type: string;
  /** Place on the timeline, in commit order. */
  position: string;
  /** The comment's global id, for COMMENTED entries. */
  commentId: string | null;
}

export const TIMELINE_TOPIC = 'TIMELINE';

export type RealtimeTopics = { [TIMELINE_TOPIC]: [TimelineMessage] };

/** The in-process PubSub (one instance). Every subscription is a listener: thousands are expected. */
export function createLocalPubSub() {
  const eventTarget = new EventTarget();
  setMaxListeners(0, eventTarget);
  return createPubSub<RealtimeTopics>({ eventTarget });
}

export type PubSub = ReturnType<typeof createLocalPubSub>;
