import { createClient } from './client';
import { TicketStore } from './store';
import { fullSync, pollChanges, startWebhookServer } from './sync';

/**
 * The program: a full pass (resumed if it was interrupted), then webhooks as they come, and a poll
 * every POLL_SECONDS for whatever they missed. Configured by the environment (see README.md).
 */
function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`Set ${name} (see README.md).`);
    process.exit(1);
  }
  return value;
}

async function main(): Promise<void> {
  const client = createClient(process.env.TICKETGRAPH_URL ?? 'http://localhost:4000/graphql', required('TICKETGRAPH_API_KEY'));
  const store = await TicketStore.open(process.env.STORE_FILE ?? 'tickets.json');
  const pollSeconds = Number(process.env.POLL_SECONDS ?? '300');

  const first = await fullSync(client, store);
  console.log(`full pass: ${first.read} tickets read, ${first.applied} stored`);

  const server = await startWebhookServer({
    port: Number(process.env.WEBHOOK_PORT ?? '8787'),
    host: process.env.WEBHOOK_HOST ?? '127.0.0.1',
    secret: required('WEBHOOK_SECRET'),
    store,
    onOutcome: (outcome) => console.log(`webhook: ${outcome}`),
  });
  console.log(`receiving webhooks at ${server.url}`);

  // The poll catches up at once (changes made during the full pass), then every POLL_SECONDS.
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const result = await pollChanges(client, store);
      if (result.applied > 0) console.log(`poll: ${result.applied} of ${result.read} tickets were newer`);
    } catch (error) {
      console.error('poll failed, will retry:', error instanceof Error ? error.message : error);
    } finally {
      polling = false;
    }
  };
  await poll();
  const timer = setInterval(() => void poll(), pollSeconds * 1000);

  const stop = async () => {
    clearInterval(timer);
    await server.close();
    await store.save();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error('partner-sync failed:', error instanceof Error ? error.message : error);
  process.exit(1);
});
