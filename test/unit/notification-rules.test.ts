import { draftsFor } from '../../src/modules/notifications/notification-rules';
import { NotificationChannel, NotificationEvent } from '../../src/modules/notifications/notification.enums';
import { choiceKey, defaultEnabled, eventsFor, wants } from '../../src/modules/notifications/preferences';
import type { TicketEvent } from '../../src/modules/tickets/ticket-event.entity';
import { TicketEventType } from '../../src/modules/tickets/ticket-event.entity';
import type { Ticket } from '../../src/modules/tickets/ticket.entity';
import { Role } from '../../src/modules/users/user.enums';
import { toGlobalId } from '../../src/shared/global-id';

const AGENT = '0190f0f0-0000-7000-8000-000000000001';
const OTHER = '0190f0f0-0000-7000-8000-000000000002';
const CONTACT = '0190f0f0-0000-7000-8000-000000000003';

const ticket = (assignee: string | null) => ({ id: 't', number: 1042, title: 'Printer on fire', assignee: assignee && { id: assignee } }) as unknown as Ticket;

function entry(type: TicketEventType, fields: { actor?: string; actorContact?: string; isInternal?: boolean; details?: Record<string, unknown> } = {}): TicketEvent {
  return {
    id: 'e1',
    type,
    actor: fields.actor ? { id: fields.actor } : null,
    actorContact: fields.actorContact ? { id: fields.actorContact } : null,
    isInternal: fields.isInternal ?? false,
    details: fields.details ?? {},
  } as unknown as TicketEvent;
}

const recipients = (drafts: ReturnType<typeof draftsFor>) => drafts.map((d) => [d.event, d.recipientId]);

describe('draftsFor', () => {
  it('tells the new assignee of an assignment, unless they made it', () => {
    const assigned = entry(TicketEventType.ASSIGNED, { actor: OTHER, details: { from: null, to: toGlobalId('User', AGENT) } });
    expect(recipients(draftsFor(assigned, ticket(AGENT)))).toEqual([[NotificationEvent.ASSIGNED_TO_YOU, AGENT]]);
    expect(draftsFor(assigned, ticket(AGENT))[0]).toMatchObject({ about: 'entry:e1', title: '#1042 Printer on fire was assigned to you' });
    const own = entry(TicketEventType.ASSIGNED, { actor: AGENT, details: { from: null, to: toGlobalId('User', AGENT) } });
    expect(draftsFor(own, ticket(AGENT))).toEqual([]);
    expect(draftsFor(entry(TicketEventType.ASSIGNED, { actor: OTHER, details: { from: toGlobalId('User', AGENT), to: null } }), ticket(null))).toEqual([]);
  });

  it('tells the assignee of an external comment by a contact or an email sender, and of nothing else commented', () => {
    expect(recipients(draftsFor(entry(TicketEventType.COMMENTED, { actorContact: CONTACT }), ticket(AGENT)))).toEqual([[NotificationEvent.CUSTOMER_REPLIED, AGENT]]);
    expect(recipients(draftsFor(entry(TicketEventType.COMMENTED, { details: { sender: 'x@y.example' } }), ticket(AGENT)))).toEqual([[NotificationEvent.CUSTOMER_REPLIED, AGENT]]);
    expect(draftsFor(entry(TicketEventType.COMMENTED, { actorContact: CONTACT, isInternal: true }), ticket(AGENT))).toEqual([]);
    expect(draftsFor(entry(TicketEventType.COMMENTED, { details: { sender: 'x@y.example' }, isInternal: true }), ticket(AGENT))).toEqual([]);
    expect(draftsFor(entry(TicketEventType.COMMENTED, { actor: OTHER }), ticket(AGENT))).toEqual([]);
    expect(draftsFor(entry(TicketEventType.COMMENTED, { details: { apiKey: 'Billing' } }), ticket(AGENT))).toEqual([]);
    expect(draftsFor(entry(TicketEventType.COMMENTED, { actorContact: CONTACT }), ticket(null))).toEqual([]);
  });

  it('tells the assignee of SLA warnings and breaches, and the owner of a due follow-up', () => {
    const clock = { clock: 'RESOLUTION', dueAt: '2026-12-06T12:00:00.000Z' };
    expect(draftsFor(entry(TicketEventType.SLA_AT_RISK, { isInternal: true, details: clock }), ticket(AGENT))[0]).toMatchObject({
      event: NotificationEvent.SLA_AT_RISK,
      recipientId: AGENT,
      title: '#1042 Printer on fire: the resolution target is at risk',
      details: clock,
    });
    expect(recipients(draftsFor(entry(TicketEventType.SLA_BREACHED, { details: { clock: 'FIRST_RESPONSE' } }), ticket(AGENT)))).toEqual([[NotificationEvent.SLA_BREACHED, AGENT]]);
    expect(draftsFor(entry(TicketEventType.SLA_BREACHED, { details: clock }), ticket(null))).toEqual([]);
    const due = entry(TicketEventType.FOLLOW_UP_DUE, { isInternal: true, details: { followUp: 'f', owner: toGlobalId('User', OTHER), note: 'Call' } });
    expect(recipients(draftsFor(due, ticket(AGENT)))).toEqual([[NotificationEvent.FOLLOW_UP_DUE, OTHER]]);
    const long = entry(TicketEventType.FOLLOW_UP_DUE, { details: { owner: toGlobalId('User', OTHER), note: `Call\n${'x'.repeat(300)}` } });
    const [draft] = draftsFor(long, ticket(AGENT));
    expect(draft.title).toBe(`Follow-up due on #1042 Printer on fire: Call ${'x'.repeat(94)}…`);
    expect(draft.details.note).toBe(`Call\n${'x'.repeat(300)}`);
  });

  it('ignores every other kind of entry', () => {
    for (const type of [TicketEventType.CREATED, TicketEventType.STATUS_CHANGED, TicketEventType.TAGGED, TicketEventType.FOLLOW_UP_SCHEDULED]) {
      expect(draftsFor(entry(type, { actorContact: CONTACT }), ticket(AGENT))).toEqual([]);
    }
  });
});

describe('preferences', () => {
  it('keeps WEBHOOK_DISABLED for admins, and falls back to the defaults where nothing was chosen', () => {
    expect(eventsFor(Role.AGENT)).not.toContain(NotificationEvent.WEBHOOK_DISABLED);
    expect(eventsFor(Role.ADMIN)).toContain(NotificationEvent.WEBHOOK_DISABLED);
    expect(Object.values(NotificationEvent).every((event) => defaultEnabled(event, NotificationChannel.IN_APP))).toBe(true);
    expect(defaultEnabled(NotificationEvent.CUSTOMER_REPLIED, NotificationChannel.EMAIL)).toBe(false);
    expect(defaultEnabled(NotificationEvent.SLA_BREACHED, NotificationChannel.EMAIL)).toBe(true);
    const choices = new Map([[choiceKey(NotificationEvent.SLA_BREACHED, NotificationChannel.EMAIL), false]]);
    expect(wants(choices, NotificationEvent.SLA_BREACHED, NotificationChannel.EMAIL)).toBe(false);
    expect(wants(choices, NotificationEvent.SLA_BREACHED, NotificationChannel.IN_APP)).toBe(true);
    expect(wants(undefined, NotificationEvent.CUSTOMER_REPLIED, NotificationChannel.EMAIL)).toBe(false);
  });
});
