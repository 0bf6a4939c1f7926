import { onServer } from './databases';

export default async function globalTeardown(): Promise<void> {
  const server = process.env.TEST_SERVER_URL;
  const template = process.env.TEST_TEMPLATE_DB;
  if (server && template) await onServer(server, `drop database if exists ${template}`);
  await (globalThis as { embeddedForTests?: { stop(): Promise<void> } }).embeddedForTests?.stop();
}
