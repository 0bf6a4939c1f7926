import { createPubSub } from '@graphql-yoga/subscription';

/**
 * What crosses the PubSub: ids only. Each subscriber reloads the rows with its own permissions,
 * so a payload never carries data one viewer may see and another may not.
 */
export interface RealtimeTopics {
  [topic: string]: [unknown];
}

/** The in-process PubSub (one instance). */
export function createLocalPubSub() {
  return createPubSub<RealtimeTopics>();
}

export type PubSub = ReturnType<typeof createLocalPubSub>;
