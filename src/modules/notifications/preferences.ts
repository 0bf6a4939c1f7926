import { Role, type StaffRole } from '../users/user.enums';
import { NotificationChannel, NotificationEvent } from './notification.enums';

/** Events for admins only. */
const ADMIN_EVENTS: readonly NotificationEvent[] = [NotificationEvent.WEBHOOK_DISABLED];

/**
 * Sent by mail unless turned off. The others are in-app only unless turned on: a customer's every
 * reply and every follow-up by mail would bury the ones that matter.
 */
const EMAIL_BY_DEFAULT: readonly NotificationEvent[] = [
  NotificationEvent.ASSIGNED_TO_YOU,
  NotificationEvent.SLA_AT_RISK,
  NotificationEvent.SLA_BREACHED,
  NotificationEvent.WEBHOOK_DISABLED,
];

/** The events a staff member of `role` can be notified of. */
export function eventsFor(role: StaffRole): NotificationEvent[] {
  return Object.values(NotificationEvent).filter((event) => role === Role.ADMIN || !ADMIN_EVENTS.includes(event));
}

export function defaultEnabled(event: NotificationEvent, channel: NotificationChannel): boolean {
  return channel === NotificationChannel.IN_APP || EMAIL_BY_DEFAULT.includes(event);
}

/** A member's choices that differ from (or confirm) the defaults, by `event:channel`. */
export type Choices = ReadonlyMap<string, boolean>;

export function choiceKey(event: NotificationEvent, channel: NotificationChannel): string {
  return `${event}:${channel}`;
}

/** Whether `event` goes to `channel` for a member with these choices. */
export function wants(choices: Choices | undefined, event: NotificationEvent, channel: NotificationChannel): boolean {
  return choices?.get(choiceKey(event, channel)) ?? defaultEnabled(event, channel);
}
