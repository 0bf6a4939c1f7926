import Redis from 'ioredis';
import { print } from 'graphql';
import {
  ChangeTicketStatusDocument,
  ConfirmResolutionDocument,
  CreateTicketDocument,
  IntakeTicketDocument,
  ResolveTicketDocument,
  SubmitTicketDocument,
  UpdateTicketDocument,
} from '../__generated__/graphql';
import { Migration20261206050000_dedup_per_caller } from '../../src/db/migrations/Migration20261206050000_dedup_per_caller';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

let app: TestApp;
let agent: make.Staff;

beforeAll(async () => {
  app = await startTestApp();
  agent = await make.staffUser(app);
});
afterAll(() => app.stop());

const form = (email: string, extra: Record<string, string> = {}) => ({
  input: { title: 'Cannot log in', description: 'The page spins forever', name: 'Pat Doe', email, ...extra },
});

async function submitted(email: string, token?: string) {
  const res = await app.gql(SubmitTicketDocument, form(email), token);
  expect(res.errors).toBeUndefined();
  const { ticketNumber, reference } = res.data!.submitTicket;
  expect(reference).toMatch(new RegExp(`^TG-${ticketNumber}-[A-Z2-9]{4}$`));
  const row = await app.em().findOneOrFail(Ticket, { number: ticketNumber });
  return (await app.gql(IntakeTicketDocument, { id: row.globalId }, agent.token)).data!.ticket!;
}

describe('web form', () => {
  it('links a known contact at once: OPEN, with the contact and its business', async () => {
    const acme = await make.business(app, { name: 'Acme Web', domain: 'acme-web.example' });
    const carol = await make.customer(app, acme);
    const ticket = await submitted(carol.contact.email.toUpperCase());
    expect(ticket).toMatchObject({ status: 'OPEN', channel: 'WEB_FORM', business: { id: acme.globalId }, contact: { id: carol.contact.globalId }, creator: null });
  });

  it('links by email domain when exactly one business has it, without inventing a contact', async () => {
    const globex = await make.business(app, { domain: 'globex-web.example' });
    const ticket = await submitted('new.person@globex-web.example');
    expect(ticket).toMatchObject({ status: 'OPEN', business: { id: globex.globalId }, contact: null, submitterEmail: 'new.person@globex-web.example' });
  });

  it('leaves it UNASSIGNED when the domain is shared by two businesses, or unknown', async () => {
    await make.business(app, { domain: 'shared.example' });
    await make.business(app, { domain: 'shared.example' });
    expect((await submitted('x@shared.example')).status).toBe('UNASSIGNED');
    expect((await submitted('someone@freemail.example')).status).toBe('UNASSIGNED');
  });

  it("files a signed-in customer's submission under its own business", async () => {
    const initech = await make.business(app);
    const bob = await make.customer(app, initech);
    const ticket = await submitted('any@freemail.example', bob.token);
    expect(ticket).toMatchObject({ status: 'OPEN', business: { id: initech.globalId }, contact: { id: bob.contact.globalId } });
  });

  it('limits submissions per client address, answering RATE_LIMITED with HTTP 429 and Retry-After', async () => {
    const limited = await startTestApp({ SUBMIT_RATE_LIMIT: '3', SUBMIT_RATE_WINDOW_SECONDS: '3600' });
    try {
      const post = (variables: unknown) =>
        fetch(limited.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: print(SubmitTicketDocument), variables }) });
      // An invalid submission does not use up the allowance.
      const invalid = await limited.gql(SubmitTicketDocument, form('not-an-email'));
      expect(invalid.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
      for (let i = 0; i < 3; i += 1) expect((await limited.gql(SubmitTicketDocument, form(`p${i}@freemail.example`))).errors).toBeUndefined();
      const refused = await post(form('p4@freemail.example'));
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(3500);
      const body = (await refused.json()) as { errors: { extensions: { code: string; retryAfterSeconds: number } }[] };
      expect(body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: retryAfter });
      expect(await limited.em().count(Ticket, {})).toBe(3);
    } finally {
      await limited.stop();
    }
  });

  it('shares the limit across instances through Redis', async () => {
    const redis = new Redis('redis://127.0.0.1:6379');
    const stale = await redis.keys('submit-ticket:*');
    if (stale.length) await redis.del(...stale);
    await redis.quit();
    const env = { SUBMIT_RATE_LIMIT: '2', SUBMIT_RATE_WINDOW_SECONDS: '60', REDIS_URL: 'redis://127.0.0.1:6379' };
    const first = await startTestApp(env);
    const second = await startTestApp(env);
    try {
      expect((await first.gql(SubmitTicketDocument, form('a@freemail.example'))).errors).toBeUndefined();
      expect((await second.gql(SubmitTicketDocument, form('b@freemail.example'))).errors).toBeUndefined();
      const third = await first.gql(SubmitTicketDocument, form('c@freemail.example'));
      expect(third.errors![0].extensions!.code).toBe('RATE_LIMITED');
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});

describe('phone and staff', () => {
  it('opens a PHONE ticket on behalf of a contact, with the staff member as creator', async () => {
    const acme = await make.business(app);
    const carol = await make.customer(app, acme);
    const res = await app.gql(CreateTicketDocument, { input: { title: 'Called in', description: 'Printer', channel: 'PHONE' as never, contactId: carol.contact.globalId } }, agent.token);
    expect(res.data!.createTicket.ticket).toMatchObject({ channel: 'PHONE', status: 'OPEN', business: { id: acme.globalId }, contact: { id: carol.contact.globalId }, creator: { id: agent.user.globalId } });
  });
});

describe('monitoring', () => {
  const alert = (dedupKey: string, extra: Record<string, unknown> = {}) => ({
    input: { title: 'Disk 95% full on db-1', description: 'usage=95%', dedupKey, ...extra },
  });

  it('opens one MONITORING ticket per alert key; repeats count occurrences and add internal comments', async () => {
    const key = await make.apiKey(app, agent.user, [ApiScope.MONITORING]);
    const first = await app.gql(CreateTicketDocument, alert('disk-db-1'), key);
    expect(first.errors).toBeUndefined();
    const id = first.data!.createTicket.ticket.id;
    const again = await app.gql(CreateTicketDocument, alert('disk-db-1', { description: 'usage=97%' }), key);
    expect(again.data!.createTicket.ticket.id).toBe(id);
    const ticket = (await app.gql(IntakeTicketDocument, { id }, agent.token)).data!.ticket!;
    expect(ticket).toMatchObject({ channel: 'MONITORING', dedupKey: 'disk-db-1', occurrences: 2, creator: null });
    expect(ticket.comments.nodes).toEqual([{ body: 'Alert fired again (occurrence 2):\nusage=97%', isInternal: true }]);
  });

  it('scopes an alert key to its caller: another key with the same dedupKey opens its own ticket and reads nothing of the first', async () => {
    const [keyA, keyB] = await Promise.all([make.apiKey(app, agent.user, [ApiScope.MONITORING]), make.apiKey(app, agent.user, [ApiScope.MONITORING])]);
    const globex = await make.business(app);
    const first = (await app.gql(CreateTicketDocument, { input: { title: 'disk full', description: 'db-1', businessId: globex.globalId, dedupKey: 'db-1-disk' } }, keyA)).data!
      .createTicket.ticket;
    const edited = { ticketId: first.id, title: 'Globex: db-1 disk full (staff notes)', description: 'Customer escalated; see contract.' };
    expect((await app.gql(UpdateTicketDocument, { input: edited }, agent.token)).errors).toBeUndefined();

    const probe = await app.gql(CreateTicketDocument, { input: { title: 'probe', description: 'probe', dedupKey: 'db-1-disk' } }, keyB);
    expect(probe.errors).toBeUndefined();
    const other = probe.data!.createTicket.ticket;
    expect(other.id).not.toBe(first.id);
    expect(other).toMatchObject({ title: 'probe', description: 'probe', status: 'UNASSIGNED' });
    expect(JSON.stringify(probe)).not.toContain('staff notes');
    const firstAfter = (await app.gql(IntakeTicketDocument, { id: first.id }, agent.token)).data!.ticket!;
    expect([firstAfter.occurrences, firstAfter.comments.totalCount]).toEqual([1, 0]);

    const again = (await app.gql(CreateTicketDocument, alert('db-1-disk'), keyA)).data!.createTicket.ticket;
    expect(again.id).toBe(first.id);
    expect((await app.gql(IntakeTicketDocument, { id: first.id }, agent.token)).data!.ticket!.occurrences).toBe(2);
    expect((await app.gql(IntakeTicketDocument, { id: other.id }, agent.token)).data!.ticket!.occurrences).toBe(1);
  });

  it('Migration20261206050000_dedup_per_caller gives an older alert ticket the key named on it, when that name is one key’s alone', async () => {
    const [keyA, keyB] = await Promise.all([make.apiKey(app, agent.user, [ApiScope.MONITORING]), make.apiKey(app, agent.user, [ApiScope.MONITORING])]);
    const opened = async (key: string, dedupKey: string) => (await app.gql(CreateTicketDocument, alert(dedupKey), key)).data!.createTicket.ticket.id;
    const [ticketA, ticketB] = [await opened(keyA, 'legacy-a'), await opened(keyB, 'legacy-b')];
    const em = app.em();
    // As the code before the migration wrote them: no owner. Another key shares the name of B's.
    await em.execute(`update ticket set dedup_owner = null where dedup_key in ('legacy-a', 'legacy-b')`);
    const [{ name }] = await em.execute<{ name: string }[]>(
      `select details->>'apiKey' as name from ticket_event where type = 'CREATED' and ticket_id = (select id from ticket where dedup_key = 'legacy-b')`,
    );
    await make.apiKey(app, agent.user, [ApiScope.MONITORING]);
    await em.execute(`update api_key set name = ? where id = (select id from api_key order by created_at desc limit 1)`, [name]);
    const migration = new Migration20261206050000_dedup_per_caller(em.getDriver(), app.app.database.orm.config);
    await migration.up();
    // The column and index exist already (the test database is migrated): run the backfill alone.
    for (const query of migration.getQueries().map(String).filter((q) => q.trim().startsWith('update'))) await em.execute(query);

    const owners = await em.execute<{ dedup_key: string; dedup_owner: string | null }[]>(
      `select dedup_key, dedup_owner from ticket where dedup_key in ('legacy-a', 'legacy-b') order by dedup_key`,
    );
    expect(owners.map((row) => [row.dedup_key, row.dedup_owner?.startsWith('apiKey:') ?? null])).toEqual([['legacy-a', true], ['legacy-b', null]]);
    expect(await opened(keyA, 'legacy-a')).toBe(ticketA);
    expect(await opened(keyB, 'legacy-b')).not.toBe(ticketB);
  });

  it('counts concurrent repeats of one alert on one ticket', async () => {
    const key = await make.apiKey(app, agent.user, [ApiScope.MONITORING]);
    const results = await Promise.all(Array.from({ length: 6 }, () => app.gql(CreateTicketDocument, alert('cpu-web-7'), key)));
    expect(results.every((r) => !r.errors)).toBe(true);
    expect(new Set(results.map((r) => r.data!.createTicket.ticket.id)).size).toBe(1);
    const row = await app.em().findOneOrFail(Ticket, { dedupKey: 'cpu-web-7' });
    expect(row.occurrences).toBe(6);
  });

  it('opens a new ticket once the old one for the key is closed', async () => {
    const key = await make.apiKey(app, agent.user, [ApiScope.MONITORING]);
    const acme = await make.business(app);
    const first = (await app.gql(CreateTicketDocument, alert('mem-app-2', { businessId: acme.globalId }), key)).data!.createTicket.ticket.id;
    await app.gql(ChangeTicketStatusDocument, { input: { ticketId: first, status: 'IN_PROGRESS' as never } }, agent.token);
    await app.gql(ResolveTicketDocument, { input: { ticketId: first, resolutionNotes: 'Restarted' } }, agent.token);
    expect((await app.gql(CreateTicketDocument, alert('mem-app-2'), key)).data!.createTicket.ticket.id).toBe(first);
    await app.gql(ConfirmResolutionDocument, { input: { ticketId: first } }, agent.token);
    const next = await app.gql(CreateTicketDocument, alert('mem-app-2'), key);
    expect(next.data!.createTicket.ticket.id).not.toBe(first);
  });

  it('keeps channels to their callers', async () => {
    const monitoringKey = await make.apiKey(app, agent.user, [ApiScope.MONITORING]);
    const asStaff = await app.gql(CreateTicketDocument, { input: { title: 'x', description: 'y', channel: 'STAFF' as never } }, monitoringKey);
    expect(asStaff.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'channel' });
    const byAgent = await app.gql(CreateTicketDocument, alert('agent-alert', { channel: 'MONITORING' }), agent.token);
    expect(byAgent.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'channel' });
    const dedupOnStaff = await app.gql(CreateTicketDocument, { input: { title: 'x', description: 'y', dedupKey: 'k' } }, agent.token);
    expect(dedupOnStaff.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'dedupKey' });
    const readOnly = await make.apiKey(app, agent.user, [ApiScope.TICKETS_READ]);
    expect((await app.gql(CreateTicketDocument, alert('ro'), readOnly)).errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});

describe('idempotency keys', () => {
  it('return the first result on a retry, even when retries race, per caller', async () => {
    const key = await make.apiKey(app, agent.user, [ApiScope.TICKETS_WRITE, ApiScope.TICKETS_READ]);
    const request = { input: { title: 'Order #7 failed', description: 'Sync error', idempotencyKey: 'order-7' } };
    const results = await Promise.all(Array.from({ length: 5 }, () => app.gql(CreateTicketDocument, request, key)));
    expect(results.every((r) => !r.errors)).toBe(true);
    const ids = new Set(results.map((r) => r.data!.createTicket.ticket.id));
    expect(ids.size).toBe(1);
    const later = await app.gql(CreateTicketDocument, request, key);
    expect(later.data!.createTicket.ticket.id).toBe([...ids][0]);
    const otherCaller = await app.gql(CreateTicketDocument, request, agent.token);
    expect(otherCaller.data!.createTicket.ticket.id).not.toBe([...ids][0]);
    expect(await app.em().count(Ticket, { title: 'Order #7 failed' })).toBe(2);
  });
});
