/**
 * The whole server in a process of its own, configured by its environment like `npm start`
 * (mail-crash.test.ts kills it with SIGKILL mid-delivery). Prints "started" once it serves; SIGTERM
 * stops it in order.
 */
import pino from 'pino';
import { startApp } from '../../src/app';
import { loadConfig } from '../../src/config';

async function main() {
  const app = await startApp(loadConfig(process.env), pino({ level: 'silent' }));
  process.stdout.write('started\n');
  process.once('SIGTERM', () => void app.stop().then(() => process.exit(0)));
}

void main();
