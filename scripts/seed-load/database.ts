import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import { migrationOnlyConfig } from '../../src/db/migrations.config';
import { CUSTOMER_MAIL_CONSUMER } from '../../src/modules/mail/customer-mail.consumer';
import { NOTIFICATION_CONSUMER } from '../../src/modules/notifications/notification.consumer';
import { rebuildRollUps } from '../../src/modules/reports/roll-up.rebuild';
import { webhookConsumer } from '../../src/modules/webhooks/webhook.consumer';

/** The server is DATABASE_URL's; the seed works on a database of its own there. */
export const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function urlFor(database: string): string {
  const url = new URL(SERVER);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function connect(database: string): Promise<Client> {
  const client = new Client({ connectionString: urlFor(database) });
  await client.connect();
  return client;
}

/** Drops and recreates `database` and runs the app's migrations on it; returns their names. */
export async function createMigratedDatabase(database: string): Promise<string[]> {
  const admin = await connect('postgres');
  try {
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.query(`create database ${database}`);
  } finally {
    await admin.end();
  }
  const orm = await MikroORM.init(migrationOnlyConfig(urlFor(database)));
  try {
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}

/** Counts every loaded ticket in the report roll-ups (as `npm run reports:rebuild` does), through the app's own code. */
export async function fillRollUps(database: string): Promise<void> {
  const orm = await MikroORM.init(migrationOnlyConfig(urlFor(database)));
  try {
    await rebuildRollUps(orm.em.fork());
  } finally {
    await orm.close(true);
  }
}

/**
 * The consumers that speak to people (mail, notifications, webhooks) start after the loaded history,
 * as an upgraded database starts them at the upgrade: two years of tickets loaded at once are not news
 * to mail anyone about.
 */
export async function startConsumersAfterHistory(client: Client): Promise<void> {
  await client.query(
    `insert into feed_checkpoint (consumer, position) select name, timeline_watermark() from unnest($1::text[]) name
     on conflict (consumer) do update set position = greatest(feed_checkpoint.position, excluded.position), updated_at = now()`,
    [[CUSTOMER_MAIL_CONSUMER, NOTIFICATION_CONSUMER, webhookConsumer.name]],
  );
}
