import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { toGlobalId } from '../../shared/global-id';
import type { PresenceSnapshot } from './presence-hub';

@ObjectType({ description: 'Who is on a ticket now: the staff members viewing it and those writing a reply. Never shown to customers.' })
export class TicketPresence {
  /** User keys, resolved through TicketPresenceResolver. */
  viewerIds!: string[];
  typistIds!: string[];

  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  /** One payload per snapshot, whoever receives it: its watchers then share one execution (realtime/shared-subscriptions.ts). */
  static of(snapshot: PresenceSnapshot): TicketPresence {
    let presence = payloads.get(snapshot);
    if (!presence) {
      presence = Object.assign(new TicketPresence(), { ticketId: toGlobalId('Ticket', snapshot.ticketId), viewerIds: snapshot.viewerIds, typistIds: snapshot.typistIds });
      payloads.set(snapshot, presence);
    }
    return presence;
  }
}

const payloads = new WeakMap<PresenceSnapshot, TicketPresence>();

@InputType({ description: 'Says whether you are writing a reply on a ticket.' })
export class SetTypingInput {
  @Field(() => ID, { description: 'The ticket.' })
  ticketId!: string;

  @Field({ description: 'true: you are writing (shown for 10 seconds; send it again while still writing); false: you stopped.' })
  typing!: boolean;
}
