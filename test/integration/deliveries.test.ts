import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Delivery, DeliveryStatus } from '../../src/modules/deliveries/delivery.entity';
import { newMessageId, queueMail, type OutboundMail } from '../../src/modules/mail/outbound-mail';
import { startSmtpSink, type SmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';

let smtp: SmtpSink;
let app: TestApp;

beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ SMTP_URL: smtp.url, MAIL_FROM: 'Help Desk <help@ticketgraph.test>' });
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
});

let sequence = 0;
function mail(to = `customer${++sequence}@example.test`): OutboundMail {
  return { to, subject: `Subject ${sequence}`, text: `Plain ${sequence}`, html: `<p>Html ${sequence}</p>`, messageId: newMessageId('help@ticketgraph.test'), kind: 'TEST' };
}

async function deliveryOf(em: EntityManager, dedupKey: string): Promise<Delivery | null> {
  return em.findOne(Delivery, { dedupKey });
}

it('decides a mail with the transaction that decides it: rolled back, none; decided twice, one', async () => {
  await app
    .em()
    .transactional(async (em) => {
      await queueMail(em, mail(), { dedupKey: 'rolled-back' });
      throw new Error('roll back');
    })
    .catch(() => undefined);
  expect(await deliveryOf(app.em(), 'rolled-back')).toBeNull();

  const first = mail();
  expect(await app.em().transactional((em) => queueMail(em, first, { dedupKey: 'twice' }))).toBe(true);
  expect(await app.em().transactional((em) => queueMail(em, mail(), { dedupKey: 'twice' }))).toBe(false);
  expect(await app.em().count(Delivery, { dedupKey: 'twice' })).toBe(1);
  expect((await deliveryOf(app.em(), 'twice'))!.target).toBe(first.to);
});

it('sends over SMTP as decided, multipart, with the headers that keep answering machines quiet', async () => {
  const sent = mail('Someone@Example.test');
  await app.em().transactional((em) => queueMail(em, { ...sent, headers: { 'List-Unsubscribe': '<https://x.test/u>' } }, { dedupKey: 'smtp' }));
  const before = smtp.received.length;
  await app.app.deliveries.runDue();
  const received = smtp.received.slice(before).find((each) => each.parsed.messageId === sent.messageId)!;
  expect(received.to).toEqual(['Someone@example.test']);
  expect(received.from).toBe('help@ticketgraph.test');
  expect(received.parsed.messageId).toBe(sent.messageId);
  expect(received.parsed.text?.trim()).toBe(sent.text);
  expect(received.parsed.html).toContain(sent.html);
  expect(received.parsed.headers.get('auto-submitted')).toBe('auto-generated');
  expect(received.parsed.headers.get('x-auto-response-suppress')).toBe('All');
  expect(received.raw.toString()).toContain('List-Unsubscribe: <https://x.test/u>');
  const delivery = (await deliveryOf(app.em(), 'smtp'))!;
  expect(delivery).toMatchObject({ status: DeliveryStatus.DELIVERED, attempts: 1, responseCode: 250, lastError: null });
  expect(delivery.deliveredAt).toBeInstanceOf(Date);
});

it('tries again later after a temporary refusal, and gives up at once on a permanent one', async () => {
  await app.em().transactional((em) => queueMail(em, mail(), { dedupKey: 'later' }));
  smtp.refuseNext(1, 451);
  await app.app.deliveries.runDue();
  await app.em().transactional((em) => queueMail(em, mail(), { dedupKey: 'never' }));
  smtp.refuseNext(1, 550);
  await app.app.deliveries.runDue();
  const later = (await deliveryOf(app.em(), 'later'))!;
  const never = (await deliveryOf(app.em(), 'never'))!;
  expect(later).toMatchObject({ status: DeliveryStatus.PENDING, attempts: 1, responseCode: 451 });
  expect(later.nextAttemptAt.getTime() - later.lastAttemptAt!.getTime()).toBeGreaterThanOrEqual(29_000);
  expect(never).toMatchObject({ status: DeliveryStatus.FAILED, attempts: 1, responseCode: 550 });

  // Due again: the retry goes out, same Message-ID.
  await app.em().nativeUpdate(Delivery, { id: later.id }, { nextAttemptAt: new Date(Date.now() - 1000) });
  const before = smtp.received.length;
  await app.app.deliveries.runDue();
  expect(smtp.received.slice(before).map((m) => m.parsed.messageId)).toEqual([(later.payload as { messageId: string }).messageId]);
  expect(await deliveryOf(app.em(), 'later')).toMatchObject({ status: DeliveryStatus.DELIVERED, attempts: 2 });
});

it('sends each delivery once when two instances dispatch at the same time', async () => {
  const second = await startTestApp({ SMTP_URL: smtp.url, MAIL_FROM: 'Help Desk <help@ticketgraph.test>' }, app);
  try {
    const batch = Array.from({ length: 40 }, () => mail());
    await app.em().transactional(async (em) => {
      for (const [i, each] of batch.entries()) await queueMail(em, each, { dedupKey: `race-${i}` });
    });
    const before = smtp.received.length;
    await Promise.all([app.app.deliveries.runDue(), second.app.deliveries.runDue()]);
    const ids = smtp.received.slice(before).map((m) => m.parsed.messageId);
    expect(ids.sort()).toEqual(batch.map((each) => each.messageId).sort());
  } finally {
    await second.stop();
  }
});

it('leaves a claimed delivery alone until its claim runs out, then sends it (the same message) again', async () => {
  await app.em().transactional((em) => queueMail(em, mail(), { dedupKey: 'claimed' }));
  // As a process killed after its claim would leave it: attempted once, due when the lease ends.
  await app.em().nativeUpdate(Delivery, { dedupKey: 'claimed' }, { attempts: 1, nextAttemptAt: new Date(Date.now() + 60_000) });
  expect(await app.app.deliveries.runDue()).toBe(0);
  await app.em().nativeUpdate(Delivery, { dedupKey: 'claimed' }, { nextAttemptAt: new Date(Date.now() - 1) });
  expect(await app.app.deliveries.runDue()).toBe(1);
  expect(await deliveryOf(app.em(), 'claimed')).toMatchObject({ status: DeliveryStatus.DELIVERED, attempts: 2 });
});

it('writes mail as .eml files under DATA_DIR/mail without SMTP_URL, byte for byte a message', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'tg-mail-'));
  const filed = await startTestApp({ MAIL_FROM: 'help@ticketgraph.test', DATA_DIR: dataDir });
  try {
    const sent = mail();
    await filed.em().transactional((em) => queueMail(em, sent, { dedupKey: 'file' }));
    await filed.app.deliveries.runDue();
    const files = await readdir(path.join(dataDir, 'mail'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
    const parsed = await simpleParser(await readFile(path.join(dataDir, 'mail', files[0])));
    expect(parsed.messageId).toBe(sent.messageId);
    expect(parsed.subject).toBe(sent.subject);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(await deliveryOf(filed.em(), 'file')).toMatchObject({ status: DeliveryStatus.DELIVERED });
  } finally {
    await filed.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
