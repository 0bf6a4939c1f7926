import { fromGlobalId } from '../../shared/global-id';
import type { TicketEvent } from '../tickets/ticket-event.entity';
import { TicketEventType } from '../tickets/ticket-event.entity';
import type { Ticket } from '../tickets/ticket.entity';
import { NotificationEvent } from './notification.enums';
import type { NotificationDraft } from './notifier';

/** The timeline entries that may notify someone. */
export const NOTIFYING_ENTRIES: readonly string[] = [
  TicketEventType.ASSIGNED,
  TicketEventType.COMMENTED,
  TicketEventType.SLA_AT_RISK,
  TicketEventType.SLA_BREACHED,
  TicketEventType.FOLLOW_UP_DUE,
];

const CLOCK_NAMES: Record<string, string> = { FIRST_RESPONSE: 'first response', RESOLUTION: 'resolution' };

const TITLE_NOTE_CHARS = 100;

/** A note as a title shows it: a title is one line, and a mail subject. */
function shortened(note: string): string {
  const line = note.replace(/\s+/g, ' ').trim();
  return line.length > TITLE_NOTE_CHARS ? `${line.slice(0, TITLE_NOTE_CHARS - 1)}…` : line;
}

function userIdOf(globalId: unknown): string | null {
  const decoded = typeof globalId === 'string' ? fromGlobalId(globalId) : null;
  return decoded?.type === 'User' ? decoded.id : null;
}

/**
 * Who is told what of one timeline entry, given its ticket as it is now. Pure. Whoever made the
 * change is never told of it; an SLA event of an unassigned ticket tells nobody (nobody owns it yet).
 */
export function draftsFor(entry: TicketEvent, ticket: Ticket): NotificationDraft[] {
  const label = `#${ticket.number} ${ticket.title}`;
  const about = `entry:${entry.id}`;
  const draft = (event: NotificationEvent, recipientId: string | null, title: string, details: Record<string, unknown> = {}): NotificationDraft[] =>
    recipientId && recipientId !== entry.actor?.id ? [{ event, recipientId, about, ticket, title, details }] : [];
  const assigneeId = ticket.assignee?.id ?? null;
  const clock = CLOCK_NAMES[String(entry.details.clock)] ?? 'SLA';
  const slaDetails = { clock: entry.details.clock ?? null, dueAt: entry.details.dueAt ?? null };

  switch (entry.type) {
    case TicketEventType.ASSIGNED:
      return draft(NotificationEvent.ASSIGNED_TO_YOU, userIdOf(entry.details.to), `${label} was assigned to you`);
    case TicketEventType.COMMENTED: {
      // A contact, or an email sender we do not know: the customer's side. Internal entries are notes
      // (the team's, or mail we do not trust), never a reply.
      const byCustomer = Boolean(entry.actorContact) || typeof entry.details.sender === 'string';
      if (entry.isInternal || !byCustomer) return [];
      return draft(NotificationEvent.CUSTOMER_REPLIED, assigneeId, `The customer replied on ${label}`, { comment: entry.details.comment ?? null });
    }
    case TicketEventType.SLA_AT_RISK:
      return draft(NotificationEvent.SLA_AT_RISK, assigneeId, `${label}: the ${clock} target is at risk`, slaDetails);
    case TicketEventType.SLA_BREACHED:
      return draft(NotificationEvent.SLA_BREACHED, assigneeId, `${label}: the ${clock} target was missed`, slaDetails);
    case TicketEventType.FOLLOW_UP_DUE:
      return draft(NotificationEvent.FOLLOW_UP_DUE, userIdOf(entry.details.owner), `Follow-up due on ${label}: ${shortened(String(entry.details.note ?? ''))}`, {
        followUp: entry.details.followUp ?? null,
        note: entry.details.note ?? null,
      });
    default:
      return [];
  }
}
