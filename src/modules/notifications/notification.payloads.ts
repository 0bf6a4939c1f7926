import { Field, Int, ObjectType } from 'type-graphql';
import { NotificationChannel, NotificationEvent } from './notification.enums';

@ObjectType({ description: 'Whether one event reaches you on one channel.' })
export class NotificationPreference {
  @Field(() => NotificationEvent, { description: 'The event.' })
  event!: NotificationEvent;

  @Field(() => NotificationChannel, { description: 'The channel.' })
  channel!: NotificationChannel;

  @Field({ description: 'Whether the event is sent on this channel.' })
  enabled!: boolean;

  @Field({ description: 'true while you have not chosen: `enabled` is then the default.' })
  isDefault!: boolean;
}

@ObjectType({ description: 'What markNotificationsRead did.' })
export class MarkNotificationsReadPayload {
  @Field(() => Int, { description: 'How many notifications were unread and are now read.' })
  marked!: number;

  @Field(() => Int, { description: 'How many of your notifications are still unread.' })
  unreadCount!: number;
}
