import { registerEnumType } from 'type-graphql';

/** What a staff member can be notified of. */
export enum NotificationEvent {
  ASSIGNED_TO_YOU = 'ASSIGNED_TO_YOU',
  CUSTOMER_REPLIED = 'CUSTOMER_REPLIED',
  SLA_AT_RISK = 'SLA_AT_RISK',
  SLA_BREACHED = 'SLA_BREACHED',
  FOLLOW_UP_DUE = 'FOLLOW_UP_DUE',
  WEBHOOK_DISABLED = 'WEBHOOK_DISABLED',
}

/** Where a notification goes. */
export enum NotificationChannel {
  EMAIL = 'EMAIL',
  IN_APP = 'IN_APP',
}

registerEnumType(NotificationEvent, {
  name: 'NotificationEvent',
  description: 'What a staff member is notified of. Nobody is notified of a change they made themselves.',
  valuesConfig: {
    ASSIGNED_TO_YOU: { description: 'A ticket was assigned to you (by someone else, or automatically).' },
    CUSTOMER_REPLIED: { description: 'The customer (a contact, or an email reply) wrote an external comment on a ticket assigned to you.' },
    SLA_AT_RISK: { description: 'A ticket assigned to you has used SLA_WARN_AT (default 0.8) of the time of one of its SLA clocks.' },
    SLA_BREACHED: { description: 'A ticket assigned to you missed an SLA target.' },
    FOLLOW_UP_DUE: { description: 'One of your follow-ups fell due.' },
    WEBHOOK_DISABLED: { description: 'Admins only: a webhook endpoint was disabled after failing.' },
  },
});

registerEnumType(NotificationChannel, {
  name: 'NotificationChannel',
  description: 'Where a notification is sent.',
  valuesConfig: {
    EMAIL: { description: "A mail to the staff member's address." },
    IN_APP: { description: 'The `notifications` list and the `notificationAdded` subscription.' },
  },
});
