import { Field, ID, InputType } from 'type-graphql';
import { NotificationChannel, NotificationEvent } from './notification.enums';

/** Most notifications one markNotificationsRead call names by id. */
export const MAX_MARKED_IDS = 100;
/** Most choices in one updateNotificationPreferences call: every event on every channel. */
export const MAX_CHOICES = Object.keys(NotificationEvent).length * Object.keys(NotificationChannel).length;

@InputType({ description: 'Which of your notifications to mark read: give exactly one of `ids` and `all`.' })
export class MarkNotificationsReadInput {
  @Field(() => [ID], { nullable: true, description: `Your notifications, 1 to ${MAX_MARKED_IDS} ids. An id that is not one of yours answers NOT_FOUND and marks nothing.` })
  ids?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'true: every unread notification of yours.' })
  all?: boolean | null;
}

@InputType({ description: 'One choice: whether an event reaches you on a channel.' })
export class NotificationPreferenceInput {
  @Field(() => NotificationEvent, { description: 'The event; WEBHOOK_DISABLED is for admins only.' })
  event!: NotificationEvent;

  @Field(() => NotificationChannel, { description: 'The channel.' })
  channel!: NotificationChannel;

  @Field({ description: 'true: send it there; false: do not.' })
  enabled!: boolean;
}

@InputType({ description: 'Choices to store; events and channels left out keep their current setting.' })
export class UpdateNotificationPreferencesInput {
  @Field(() => [NotificationPreferenceInput], { description: `1 to ${MAX_CHOICES} choices, each event and channel at most once.` })
  preferences!: NotificationPreferenceInput[];
}
