import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, notFound } from '../../shared/errors';
import { newestFirst } from '../../shared/newest-first';
import type { Page } from '../../shared/pagination';
import { idOf } from '../../shared/validation';
import { denied } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import type { NotificationMessage } from '../realtime/pubsub';
import type { NotificationStream } from './notification-stream';
import { Notification } from './notification.entity';
import { NotificationChannel } from './notification.enums';
import { MAX_CHOICES, MAX_MARKED_IDS, type MarkNotificationsReadInput, type UpdateNotificationPreferencesInput } from './notification.inputs';
import type { MarkNotificationsReadPayload, NotificationPreference } from './notification.payloads';
import { loadChoices, saveChoices } from './preference-store';
import { choiceKey, defaultEnabled, eventsFor } from './preferences';

type Staff = Extract<Actor, { kind: 'user' }>;

/**
 * A staff member's own notifications and preferences. Everything here is the signed-in member's
 * alone: customers and API keys are refused (FORBIDDEN), and another member's notification answers
 * NOT_FOUND, as an unknown one does.
 */
export class NotificationService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly stream: NotificationStream,
  ) {}

  private staff(): Staff {
    if (this.actor.kind !== 'user') throw denied(this.actor, 'Notifications belong to staff members.');
    return this.actor;
  }

  list(args: { first?: number | null; after?: string | null; unreadOnly: boolean }): Promise<Page<Notification>> {
    const { id } = this.staff();
    return newestFirst(this.em, Notification, { recipient: id, ...(args.unreadOnly && { readAt: null }) }, args);
  }

  async get(globalId: string): Promise<Notification> {
    const { id: recipient } = this.staff();
    const found = await this.em.findOne(Notification, { id: idOf(globalId, 'Notification', 'id'), recipient });
    if (!found) throw notFound('Notification');
    return found;
  }

  /** The announcements of the member's new notifications (see NotificationStream). */
  live(): AsyncIterable<NotificationMessage> {
    return this.stream.for(this.staff().id);
  }

  /** An announced notification, read afresh for the subscriber it was addressed to. */
  async announced(message: NotificationMessage): Promise<Notification> {
    const { id: recipient } = this.staff();
    const found = await this.em.findOne(Notification, { id: message.notificationId, recipient });
    if (!found) throw notFound('Notification');
    return found;
  }

  async markRead(input: MarkNotificationsReadInput, now = new Date()): Promise<MarkNotificationsReadPayload> {
    const { id: recipient } = this.staff();
    const all = input.all === true;
    const hasIds = input.ids !== null && input.ids !== undefined;
    if (all === hasIds) throw badInput('Give exactly one of ids and all (true).', hasIds ? 'all' : 'ids');
    const ids = hasIds ? [...new Set(input.ids!.map((id, i) => idOf(id, 'Notification', `ids[${i}]`)))] : [];
    if (hasIds && (ids.length === 0 || input.ids!.length > MAX_MARKED_IDS)) throw badInput(`ids must hold 1 to ${MAX_MARKED_IDS} ids.`, 'ids');
    return this.em.transactional(async (em) => {
      if (hasIds && (await em.count(Notification, { id: { $in: ids }, recipient })) !== ids.length) throw notFound('Notification');
      const marked = await em.nativeUpdate(Notification, { recipient, readAt: null, ...(hasIds && { id: { $in: ids } }) }, { readAt: now });
      return { marked, unreadCount: await em.count(Notification, { recipient, readAt: null }) };
    });
  }

  /** Every event of the member's role on every channel: the stored choice, or the default. */
  async preferences(): Promise<NotificationPreference[]> {
    const { id, role } = this.staff();
    const choices = (await loadChoices(this.em, [id])).get(id);
    return eventsFor(role).flatMap((event) =>
      Object.values(NotificationChannel).map((channel) => {
        const chosen = choices?.get(choiceKey(event, channel));
        return { event, channel, enabled: chosen ?? defaultEnabled(event, channel), isDefault: chosen === undefined };
      }),
    );
  }

  async updatePreferences(input: UpdateNotificationPreferencesInput): Promise<NotificationPreference[]> {
    const { id, role } = this.staff();
    const list = input.preferences;
    if (list.length === 0 || list.length > MAX_CHOICES) throw badInput(`preferences must hold 1 to ${MAX_CHOICES} choices.`, 'preferences');
    const seen = new Set<string>();
    list.forEach((choice, i) => {
      if (!eventsFor(role).includes(choice.event)) throw badInput(`${choice.event} is for admins only.`, `preferences[${i}].event`);
      const key = choiceKey(choice.event, choice.channel);
      if (seen.has(key)) throw badInput(`${choice.event} on ${choice.channel} is given twice.`, `preferences[${i}]`);
      seen.add(key);
    });
    await this.em.transactional((em) => saveChoices(em, id, list));
    return this.preferences();
  }
}
