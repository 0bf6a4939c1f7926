import { rm } from 'node:fs/promises';
import { onServer } from './databases';
import type { EmbeddedForTests } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const server = process.env.TEST_SERVER_URL;
  const template = process.env.TEST_TEMPLATE_DB;
  if (server && template) await onServer(server, `drop database if exists ${template}`);
  const embedded = (globalThis as { embeddedForTests?: EmbeddedForTests }).embeddedForTests;
  if (embedded) {
    await embedded.stop();
    await rm(embedded.root, { recursive: true, force: true });
  }
}
