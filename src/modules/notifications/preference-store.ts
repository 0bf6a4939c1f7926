import type { EntityManager } from '@mikro-orm/postgresql';
import { NotificationChannel, NotificationEvent } from './notification.enums';
import { choiceKey, type Choices } from './preferences';

interface ChoiceRow {
  user_id: string;
  event: string;
  channel: string;
  enabled: boolean;
}

/** The stored choices of each of `userIds` (one statement), by user. */
export async function loadChoices(em: EntityManager, userIds: readonly string[]): Promise<Map<string, Choices>> {
  const byUser = new Map<string, Map<string, boolean>>();
  if (userIds.length === 0) return byUser;
  const rows = await em.execute<ChoiceRow[]>('select user_id, event, channel, enabled from notification_preference where user_id = any(?::uuid[])', [
    `{${userIds.join(',')}}`,
  ]);
  for (const row of rows) {
    // A row of an event or channel this version no longer knows is ignored, not trusted.
    if (!isEvent(row.event) || !isChannel(row.channel)) continue;
    let choices = byUser.get(row.user_id);
    if (!choices) byUser.set(row.user_id, (choices = new Map()));
    choices.set(choiceKey(row.event, row.channel), row.enabled);
  }
  return byUser;
}

/** Stores choices of one member (upserted: the latest choice per event and channel wins). */
export async function saveChoices(
  em: EntityManager,
  userId: string,
  choices: readonly { event: NotificationEvent; channel: NotificationChannel; enabled: boolean }[],
): Promise<void> {
  if (choices.length === 0) return;
  await em.execute(
    `insert into notification_preference (user_id, event, channel, enabled, updated_at)
     select ?::uuid, e, c, v, now() from unnest(?::text[], ?::text[], ?::boolean[]) as t(e, c, v)
     on conflict (user_id, event, channel) do update set enabled = excluded.enabled, updated_at = excluded.updated_at`,
    [userId, `{${choices.map((c) => c.event).join(',')}}`, `{${choices.map((c) => c.channel).join(',')}}`, `{${choices.map((c) => c.enabled).join(',')}}`],
  );
}

function isEvent(value: string): value is NotificationEvent {
  return (Object.values(NotificationEvent) as string[]).includes(value);
}

function isChannel(value: string): value is NotificationChannel {
  return (Object.values(NotificationChannel) as string[]).includes(value);
}
