import type { EntityManager } from '@mikro-orm/postgresql';
import { enqueueDeliveries, type NewDelivery } from '../deliveries/outbox';
import { mailDelivery } from '../mail/outbound-mail';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';
import { Role } from '../users/user.enums';
import type { MailSettings } from '../mail/mail-settings';
import { notificationMail } from './notification-mail';
import { Notification } from './notification.entity';
import { NotificationChannel, NotificationEvent } from './notification.enums';
import { eventsFor, wants } from './preferences';
import { loadChoices } from './preference-store';

/** Longest `about` of a notice: with the recipient's id it must fit the 300 characters of the keys. */
const ABOUT_CHARS = 200;

/** One thing to tell one staff member, before preferences are applied. */
export interface NotificationDraft {
  event: NotificationEvent;
  recipientId: string;
  /** What it is about (`entry:<timeline entry id>`, …); with the recipient, what makes it happen once. */
  about: string;
  ticket: Ticket | null;
  title: string;
  details: Record<string, unknown>;
}

/**
 * Turns drafts into notifications, in the caller's transaction: an in-app row and a mail (through the
 * outbox) per the recipient's preferences, each at most once per draft key (the unique `notification.key`
 * and the delivery's dedup key). Deactivated members, and events outside a member's role, notify nobody.
 */
export class Notifier {
  constructor(private readonly mail: MailSettings) {}

  async deliver(em: EntityManager, drafts: readonly NotificationDraft[]): Promise<void> {
    if (drafts.length === 0) return;
    const recipientIds = [...new Set(drafts.map((draft) => draft.recipientId))];
    const recipients = new Map((await em.find(User, { id: { $in: recipientIds }, deactivatedAt: null })).map((user) => [user.id, user]));
    const choices = await loadChoices(em, [...recipients.keys()]);
    const keyed = drafts.map((draft) => ({ draft, key: `${draft.about}:${draft.recipientId}` }));
    const done = new Set((await em.find(Notification, { key: { $in: keyed.map(({ key }) => key) } }, { fields: ['key'] })).map((n) => n.key));
    // A batch's mails are decided in one statement, not one each.
    const mails: NewDelivery[] = [];
    for (const { draft, key } of keyed) {
      const recipient = recipients.get(draft.recipientId);
      if (!recipient || done.has(key) || !eventsFor(recipient.role).includes(draft.event)) continue;
      done.add(key);
      const mine = choices.get(recipient.id);
      if (wants(mine, draft.event, NotificationChannel.IN_APP)) {
        em.create(Notification, { recipient, event: draft.event, key, ticket: draft.ticket, title: draft.title, details: draft.details });
      }
      if (wants(mine, draft.event, NotificationChannel.EMAIL)) {
        const mail = notificationMail(this.mail, recipient, { title: draft.title, ticketNumber: draft.ticket?.number ?? null });
        mails.push(mailDelivery(mail, { dedupKey: `notification:${key}`, ticketId: draft.ticket?.id ?? null }));
      }
    }
    await enqueueDeliveries(em, mails);
  }

  /**
   * Notifies every active admin of something outside any ticket's timeline (a webhook endpoint
   * disabled, …), in the caller's transaction. `about` names the occurrence (at most ABOUT_CHARS, e.g.
   * `webhook:<id>:disabled:<time>`): notifying the same one again notifies nobody.
   */
  async notifyAdmins(em: EntityManager, event: NotificationEvent, notice: { about: string; title: string; details?: Record<string, unknown> }): Promise<void> {
    // A programming error, not input: keys must fit `notification.key` and the delivery's dedup key.
    if (notice.about.length === 0 || notice.about.length > ABOUT_CHARS) throw new Error(`notifyAdmins: about must be 1 to ${ABOUT_CHARS} characters.`);
    const admins = await em.find(User, { role: Role.ADMIN, deactivatedAt: null });
    await this.deliver(
      em,
      admins.map((admin) => ({ event, recipientId: admin.id, about: notice.about, ticket: null, title: notice.title, details: notice.details ?? {} })),
    );
  }
}
