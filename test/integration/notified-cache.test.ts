import { Client } from 'pg';
import pino from 'pino';
import { ChangeNotices } from '../../src/db/change-notices';
import { NotifiedCache, type Cached } from '../../src/shared/notified-cache';
import { databaseUrl, serverUrl } from '../setup/databases';

/**
 * The cache's rules on their own (shared/notified-cache.ts, db/change-notices.ts), against a real
 * PostgreSQL: the triggers' side and two app instances are in cached-reads.test.ts.
 */
const url = databaseUrl(serverUrl(), 'postgres');
let notices: ChangeNotices;
let sender: Client;

beforeAll(async () => {
  notices = new ChangeNotices(url, pino({ level: 'silent' }));
  await notices.start();
  sender = new Client({ connectionString: url });
  await sender.connect();
});
afterAll(async () => {
  await sender.end();
  await notices.stop();
});

function counting(name: string): { load: () => Promise<Cached<{ name: string }>>; reads: () => number } {
  let reads = 0;
  return {
    load: async () => {
      reads += 1;
      return { value: { name }, droppedBy: [`thing:${name}`] };
    },
    reads: () => reads,
  };
}

it('keeps a value until a notice names it', async () => {
  const cache = new NotifiedCache<{ name: string }>(notices, 10, true);
  const thing = counting('a');
  await cache.get('a', thing.load);
  await cache.get('a', thing.load);
  expect(thing.reads()).toBe(1);
  await sender.query(`select pg_notify('ticketgraph_changes', 'thing:b')`);
  await cache.get('a', thing.load);
  expect(thing.reads()).toBe(1);
  await sender.query(`select pg_notify('ticketgraph_changes', 'thing:a')`);
  // Fenced: the notice committed before this call is heard before the hit is served.
  await cache.get('a', thing.load);
  expect(thing.reads()).toBe(2);
});

it('caughtUp() delivers every notice committed before it was called', async () => {
  const heard: (string | null)[] = [];
  const stop = notices.listen((notice) => heard.push(notice));
  try {
    for (let i = 0; i < 20; i += 1) {
      await sender.query(`select pg_notify('ticketgraph_changes', 'thing:${i}')`);
      await notices.caughtUp();
      expect(heard).toContain(`thing:${i}`);
    }
  } finally {
    stop();
  }
});

it('does not store a value read while a notice came in (the change may have committed during the read)', async () => {
  const cache = new NotifiedCache<{ name: string }>(notices, 10, true);
  let reads = 0;
  const load = async (): Promise<Cached<{ name: string }>> => {
    reads += 1;
    if (reads === 1) cache.drop('thing:unrelated');
    return { value: { name: 'c' }, droppedBy: ['thing:c'] };
  };
  await cache.get('c', load);
  await cache.get('c', load);
  await cache.get('c', load);
  expect(reads).toBe(2);
});

it('stores nothing while notices are not heard', async () => {
  const deaf = new ChangeNotices(url, pino({ level: 'silent' }));
  const cache = new NotifiedCache<{ name: string }>(deaf, 10, false);
  const thing = counting('d');
  await cache.get('d', thing.load);
  await cache.get('d', thing.load);
  expect(thing.reads()).toBe(2);
});
