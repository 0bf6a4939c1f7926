import { registerEnumType } from 'type-graphql';
import { TicketEventType } from '../tickets/ticket-event.entity';

/** What an endpoint can subscribe to: one event type per kind of timeline entry. */
export enum WebhookEventType {
  TICKET_CREATED = 'TICKET_CREATED',
  TICKET_UPDATED = 'TICKET_UPDATED',
  TICKET_STATUS_CHANGED = 'TICKET_STATUS_CHANGED',
  TICKET_PRIORITY_CHANGED = 'TICKET_PRIORITY_CHANGED',
  TICKET_ASSIGNED = 'TICKET_ASSIGNED',
  TICKET_TAGGED = 'TICKET_TAGGED',
  TICKET_LINKED = 'TICKET_LINKED',
  TICKET_DUE_DATE_CHANGED = 'TICKET_DUE_DATE_CHANGED',
  COMMENT_ADDED = 'COMMENT_ADDED',
  SLA_AT_RISK = 'SLA_AT_RISK',
  SLA_BREACHED = 'SLA_BREACHED',
  TICKET_AUTO_CLOSED = 'TICKET_AUTO_CLOSED',
  FOLLOW_UP_SCHEDULED = 'FOLLOW_UP_SCHEDULED',
  FOLLOW_UP_DUE = 'FOLLOW_UP_DUE',
  FOLLOW_UP_COMPLETED = 'FOLLOW_UP_COMPLETED',
  AUTO_ASSIGN_SKIPPED = 'AUTO_ASSIGN_SKIPPED',
  SATISFACTION_RATED = 'SATISFACTION_RATED',
  TICKET_MERGED = 'TICKET_MERGED',
  TICKET_MERGED_IN = 'TICKET_MERGED_IN',
  TICKET_UNMERGED = 'TICKET_UNMERGED',
  TICKET_RELATION_CHANGED = 'TICKET_RELATION_CHANGED',
  PROBLEM_CHANGED = 'PROBLEM_CHANGED',
}

/** The `type` of the message `testWebhook` sends; not an event one subscribes to. */
export const PING_TYPE = 'PING';

/** A Record, so a new kind of timeline entry does not compile until it has its event type. */
const FROM_ENTRY: Record<TicketEventType, WebhookEventType> = {
  [TicketEventType.CREATED]: WebhookEventType.TICKET_CREATED,
  [TicketEventType.UPDATED]: WebhookEventType.TICKET_UPDATED,
  [TicketEventType.STATUS_CHANGED]: WebhookEventType.TICKET_STATUS_CHANGED,
  [TicketEventType.PRIORITY_CHANGED]: WebhookEventType.TICKET_PRIORITY_CHANGED,
  [TicketEventType.ASSIGNED]: WebhookEventType.TICKET_ASSIGNED,
  [TicketEventType.TAGGED]: WebhookEventType.TICKET_TAGGED,
  [TicketEventType.LINKED]: WebhookEventType.TICKET_LINKED,
  [TicketEventType.DUE_DATE_CHANGED]: WebhookEventType.TICKET_DUE_DATE_CHANGED,
  [TicketEventType.COMMENTED]: WebhookEventType.COMMENT_ADDED,
  [TicketEventType.SLA_AT_RISK]: WebhookEventType.SLA_AT_RISK,
  [TicketEventType.SLA_BREACHED]: WebhookEventType.SLA_BREACHED,
  [TicketEventType.AUTO_CLOSED]: WebhookEventType.TICKET_AUTO_CLOSED,
  [TicketEventType.FOLLOW_UP_SCHEDULED]: WebhookEventType.FOLLOW_UP_SCHEDULED,
  [TicketEventType.FOLLOW_UP_DUE]: WebhookEventType.FOLLOW_UP_DUE,
  [TicketEventType.FOLLOW_UP_COMPLETED]: WebhookEventType.FOLLOW_UP_COMPLETED,
  [TicketEventType.AUTO_ASSIGN_SKIPPED]: WebhookEventType.AUTO_ASSIGN_SKIPPED,
  [TicketEventType.SATISFACTION_RATED]: WebhookEventType.SATISFACTION_RATED,
  [TicketEventType.MERGED]: WebhookEventType.TICKET_MERGED,
  [TicketEventType.MERGED_IN]: WebhookEventType.TICKET_MERGED_IN,
  [TicketEventType.UNMERGED]: WebhookEventType.TICKET_UNMERGED,
  [TicketEventType.TICKET_LINKED]: WebhookEventType.TICKET_RELATION_CHANGED,
  [TicketEventType.PROBLEM_CHANGED]: WebhookEventType.PROBLEM_CHANGED,
};

/** The event type of a timeline entry; undefined for a kind stored by a newer version than this one. */
export function webhookEventTypeOf(entryType: string): WebhookEventType | undefined {
  return FROM_ENTRY[entryType as TicketEventType];
}

registerEnumType(WebhookEventType, {
  name: 'WebhookEventType',
  description:
    'A kind of change a webhook endpoint can subscribe to; it is the `type` of the message. Each matches one kind of timeline entry ' +
    '(`data.entry.type`). Entries for the team only (internal comments, SLA warnings, follow-ups, AUTO_ASSIGN_SKIPPED) reach only endpoints with `includeInternal`.',
  valuesConfig: {
    TICKET_CREATED: { description: 'A ticket was opened (timeline entry CREATED).' },
    TICKET_UPDATED: { description: 'Title, description or other fields were edited (UPDATED; `data.entry.details.fields` names them).' },
    TICKET_STATUS_CHANGED: { description: 'The status moved (STATUS_CHANGED; `fromStatus`, `toStatus`, and `reason` when the viewer may read it).' },
    TICKET_PRIORITY_CHANGED: { description: 'The priority changed (PRIORITY_CHANGED).' },
    TICKET_ASSIGNED: { description: 'Assigned, reassigned or unassigned (ASSIGNED).' },
    TICKET_TAGGED: { description: 'Tags were added or removed (TAGGED).' },
    TICKET_LINKED: { description: 'Linked to a business and contact (LINKED).' },
    TICKET_DUE_DATE_CHANGED: { description: 'The due date was set by hand (DUE_DATE_CHANGED).' },
    COMMENT_ADDED: { description: 'A comment was written (COMMENTED; `data.entry.comment` holds it). Internal comments only with includeInternal.' },
    SLA_AT_RISK: { description: 'An SLA target is close to passing (SLA_AT_RISK; always internal).' },
    SLA_BREACHED: { description: 'An SLA target passed without being met (SLA_BREACHED).' },
    TICKET_AUTO_CLOSED: { description: 'A quiet RESOLVED ticket closed by itself (AUTO_CLOSED).' },
    FOLLOW_UP_SCHEDULED: { description: 'A follow-up was scheduled (FOLLOW_UP_SCHEDULED; always internal).' },
    FOLLOW_UP_DUE: { description: 'A follow-up fell due (FOLLOW_UP_DUE; always internal).' },
    FOLLOW_UP_COMPLETED: { description: 'A follow-up was done (FOLLOW_UP_COMPLETED; always internal).' },
    AUTO_ASSIGN_SKIPPED: { description: 'Automatic assignment found nobody (AUTO_ASSIGN_SKIPPED; always internal).' },
    SATISFACTION_RATED: { description: 'The customer rated the resolution (SATISFACTION_RATED).' },
    TICKET_MERGED: { description: 'The ticket was merged into another and closed (MERGED; `details.into` names the target).' },
    TICKET_MERGED_IN: { description: 'Other tickets were merged into this one (MERGED_IN; `details.sources` names them).' },
    TICKET_UNMERGED: { description: 'A merge was undone (UNMERGED), on the source and on its target.' },
    TICKET_RELATION_CHANGED: { description: 'A link to another ticket was added or removed (TICKET_LINKED; `details.kind`, `details.other`, `details.linked`).' },
    PROBLEM_CHANGED: { description: 'Linked to or unlinked from a problem, or a linked problem changed (PROBLEM_CHANGED; always internal).' },
  },
});
