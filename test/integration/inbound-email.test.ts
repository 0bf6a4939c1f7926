import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ChangeTicketStatusDocument, EmailTicketAttachmentsDocument, EmailTicketDocument } from '../__generated__/graphql';
import { Contact } from '../../src/modules/businesses/contact.entity';
import { Comment } from '../../src/modules/comments/comment.entity';
import { Attachment } from '../../src/modules/intake/attachment.entity';
import { EmailDirection, EmailMessage } from '../../src/modules/intake/email-message.entity';
import { TicketEvent } from '../../src/modules/tickets/ticket-event.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

const SECRET = 'test-inbound-secret-123';

let app: TestApp;
let agent: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let globex: Awaited<ReturnType<typeof make.business>>;
let carol: Contact;
let carolToken: string;

beforeAll(async () => {
  app = await startTestApp({ INBOUND_EMAIL_SECRET: SECRET, JOB_INTERVAL_SECONDS: '0' });
  agent = await make.staffUser(app);
  acme = await make.business(app, { name: 'Acme Corporation', domain: 'acme.example' });
  globex = await make.business(app, { name: 'Globex', domain: 'globex.example' });
  // A contact who can sign in, with the address the fixtures send from.
  const signedIn = await make.customer(app, acme);
  await app.em().nativeUpdate(Contact, { id: signedIn.contact.id }, { name: 'Carol Jones', email: 'carol.jones@acme.example' });
  carol = signedIn.contact;
  carolToken = signedIn.token;
});
afterAll(() => app.stop());

/** A hand-written RFC 5322 message from test/fixtures/email (CRLF line endings, as on the wire). */
const fixture = (name: string) => readFileSync(path.join(__dirname, '..', 'fixtures', 'email', name));

const inboundUrl = (on: TestApp) => on.url.replace(/\/graphql$/, '/inbound/email');

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** POSTs a raw message the way a mail forwarder does. */
async function post(message: Buffer | string, options: { authorization?: string | null; to?: TestApp } = {}): Promise<Answer> {
  const authorization = options.authorization === undefined ? `Bearer ${SECRET}` : options.authorization;
  const response = await fetch(inboundUrl(options.to ?? app), {
    method: 'POST',
    headers: { 'content-type': 'message/rfc822', ...(authorization === null ? {} : { authorization }) },
    body: message,
  });
  const json = response.headers.get('content-type')?.startsWith('application/json');
  const body = json ? ((await response.json()) as Record<string, unknown>) : { text: await response.text() };
  return { status: response.status, body, headers: response.headers };
}

/** The ticket a fixture opened: posts it (again) and takes the number from CREATED or DUPLICATE. */
async function ticketFor(name: string): Promise<Ticket> {
  const answer = await post(fixture(name));
  expect(answer.body.outcome).toMatch(/^(CREATED|DUPLICATE)$/);
  return app.em().findOneOrFail(Ticket, { number: answer.body.ticketNumber as number });
}

async function view(ticket: Ticket, token = agent.token) {
  const result = await app.gql(EmailTicketDocument, { id: ticket.globalId }, token);
  expect(result.errors).toBeUndefined();
  return result.data!.ticket!;
}

async function counts(on: TestApp = app) {
  const em = on.em();
  return {
    tickets: await em.count(Ticket, {}),
    comments: await em.count(Comment, {}),
    events: await em.count(TicketEvent, {}),
    messages: await em.count(EmailMessage, {}),
    attachments: await em.count(Attachment, {}),
  };
}

describe('a new message opens a ticket', () => {
  it('plain text from a known contact: OPEN, linked to its business and contact, Message-ID recorded', async () => {
    const answer = await post(fixture('plain.eml'));
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ ticketNumber: expect.any(Number), outcome: 'CREATED' });

    const ticket = await app.em().findOneOrFail(Ticket, { number: answer.body.ticketNumber as number });
    expect(await view(ticket)).toMatchObject({
      channel: 'EMAIL',
      status: 'OPEN',
      title: 'Printer on the 3rd floor jams',
      description:
        'Hello,\n\nthe printer next to the café on the 3rd floor jams on every second page since this morning. We already replaced the paper tray.\n\nCould someone have a look today?\n\nThanks,\nCarol',
      business: { id: acme.globalId },
      contact: { id: carol.globalId },
      submitterName: 'Carol Jones',
      submitterEmail: 'carol.jones@acme.example',
      submittedCompanyName: null,
      submitterPhone: null,
      attachments: [],
    });
    const recorded = await app.em().findOneOrFail(EmailMessage, { messageId: '<CAFx8mR2plain0001@mail.acme.example>' });
    expect(recorded).toMatchObject({ direction: EmailDirection.INBOUND, ticket: { id: ticket.id }, comment: null });
  });

  it('HTML only, from an unknown address whose domain is one business: OPEN for that business, readable text without tags', async () => {
    const ticket = await ticketFor('html-only.eml');
    const seen = await view(ticket);
    expect(seen).toMatchObject({ status: 'OPEN', business: { id: globex.globalId }, contact: null, submitterName: 'Dan Park' });
    expect(seen.title).toBe('VPN drops every 10 minutes – urgent');
    expect(seen.description).toContain('Our VPN connection drops every 10 minutes since the update.');
    expect(seen.description).toContain('Laptops in Sales & Marketing');
    expect(seen.description).toContain('Dan Park – IT · Globex');
    expect(seen.description).not.toMatch(/<\/?[a-z!][^>]*>/i);
    expect(seen.description).not.toMatch(/trackOpen|margin|&amp;|&nbsp;/);
  });

  it('multipart/alternative from a free-mail address: UNASSIGNED with the submitter fields, from the text part', async () => {
    const seen = await view(await ticketFor('alternative.eml'));
    expect(seen).toMatchObject({
      status: 'UNASSIGNED',
      business: null,
      contact: null,
      title: 'Cannot log in to the customer portal',
      submitterName: 'Erin Walsh',
      submitterEmail: 'erin.walsh@gmail.com',
      submittedCompanyName: null,
    });
    expect(seen.description).toContain('the portal\nsays "invalid token" after the sign-up email.');
    expect(seen.description).not.toContain('(HTML part)');
  });

  it('multipart/mixed with a PDF: the attachment is listed by name, type and size, for staff and for the customer', async () => {
    const ticket = await ticketFor('mixed-pdf.eml');
    const seen = await view(ticket);
    expect(seen.description).toBe('Hello,\n\nthe attached invoice charges 21% VAT, our contract says 19%.\nPlease send a corrected invoice.\n\nCarol');
    expect(seen.attachments).toEqual([
      { id: expect.any(String), filename: 'invoice-2026-113.pdf', contentType: 'application/pdf', sizeBytes: 439, createdAt: expect.any(String) },
    ]);
    expect((await view(ticket, carolToken)).attachments).toEqual(seen.attachments);
    const stranger = await make.customer(app, globex);
    const hidden = await app.gql(EmailTicketDocument, { id: ticket.globalId }, stranger.token);
    expect(hidden.errors![0].extensions!.code).toBe('NOT_FOUND');
    const [row] = await app.em().find(Attachment, { ticket: ticket.id });
    expect(row.comment).toBeNull();
  });

  it('inline images and unnamed parts are attachments with generated names; HTML inside multipart/related becomes text', async () => {
    const seen = await view(await ticketFor('inline-image.eml'));
    expect(seen.attachments.map(({ filename, contentType, sizeBytes }) => ({ filename, contentType, sizeBytes }))).toEqual([
      { filename: 'attachment-1.png', contentType: 'image/png', sizeBytes: 70 },
      { filename: 'attachment-2.bin', contentType: 'application/octet-stream', sizeBytes: 10 },
    ]);
    expect(seen.description).toBe('The error looks like this:');
  });

  it('a forwarded message is a new ticket from the forwarder, the forwarded original kept in the description', async () => {
    const original = await ticketFor('plain.eml');
    const answer = await post(fixture('forwarded.eml'));
    expect(answer).toMatchObject({ status: 201, body: { outcome: 'CREATED' } });
    expect(answer.body.ticketNumber).not.toBe(original.number);
    const seen = await view(await app.em().findOneOrFail(Ticket, { number: answer.body.ticketNumber as number }));
    expect(seen).toMatchObject({
      status: 'UNASSIGNED',
      title: 'Fwd: Printer on the 3rd floor jams',
      submitterName: 'Ivy Chen',
      submitterEmail: 'ivy.chen@outlook.com',
    });
    expect(seen.description).toMatch(/^Hi, I am helping Carol with this/);
    expect(seen.description).toContain('---------- Forwarded message ---------\nFrom: Carol Jones <carol.jones@acme.example>');
    expect(seen.description).toContain('> Earlier note: tray 2 was replaced last week.');
  });

  it('a message without Message-ID is taken each time (no deduplication); a blank subject gets a stand-in', async () => {
    const first = await post(fixture('no-message-id.eml'));
    const second = await post(fixture('no-message-id.eml'));
    expect([first.status, second.status]).toEqual([201, 201]);
    expect([first.body.outcome, second.body.outcome]).toEqual(['CREATED', 'CREATED']);
    expect(first.body.ticketNumber).not.toBe(second.body.ticketNumber);
    const tickets = await app.em().find(Ticket, { number: { $in: [first.body.ticketNumber as number, second.body.ticketNumber as number] } });
    expect(tickets.map((t) => [t.title, t.submitterName, t.submitterEmail, t.status])).toEqual([
      ['(no subject)', null, 'leo.berg@initech.example', TicketStatus.UNASSIGNED],
      ['(no subject)', null, 'leo.berg@initech.example', TicketStatus.UNASSIGNED],
    ]);
    expect(await app.em().count(EmailMessage, { ticket: { $in: tickets.map((t) => t.id) } })).toBe(0);
  });
});

describe('a reply lands on its ticket', () => {
  it('by In-Reply-To, from the contact: an external comment without the quote, its attachment, WAITING_ON_CUSTOMER → IN_PROGRESS', async () => {
    const ticket = await ticketFor('plain.eml');
    for (const input of [
      { ticketId: ticket.globalId, status: 'IN_PROGRESS' as never },
      { ticketId: ticket.globalId, status: 'WAITING_ON_CUSTOMER' as never, reason: 'Please send the error log' },
    ]) {
      expect((await app.gql(ChangeTicketStatusDocument, { input }, agent.token)).errors).toBeUndefined();
    }

    const answer = await post(fixture('reply-in-reply-to.eml'));
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ ticketNumber: ticket.number, outcome: 'REPLIED' });

    const seen = await view(ticket);
    expect(seen.status).toBe('IN_PROGRESS');
    expect(seen.comments.nodes.at(-1)).toEqual({
      body: 'Here is the error log you asked for. It jammed again at 13:40.',
      isInternal: false,
      authorName: 'Carol Jones',
      author: null,
    });
    expect(seen.attachments.map((a) => [a.filename, a.contentType, a.sizeBytes])).toEqual([['error-log.txt', 'text/plain', 74]]);

    const em = app.em();
    const comment = await em.findOneOrFail(Comment, { ticket: ticket.id }, { orderBy: { createdAt: 'desc' } });
    expect(comment.authorContact?.id).toBe(carol.id);
    expect(await em.findOneOrFail(EmailMessage, { messageId: '<CAFx8mR2reply0006@mail.acme.example>' })).toMatchObject({
      direction: EmailDirection.INBOUND,
      ticket: { id: ticket.id },
      comment: { id: comment.id },
    });
    expect((await em.findOneOrFail(Attachment, { ticket: ticket.id })).comment?.id).toBe(comment.id);

    const before = await counts();
    const again = await post(fixture('reply-in-reply-to.eml'));
    expect(again).toMatchObject({ status: 200, body: { ticketNumber: ticket.number, outcome: 'DUPLICATE' } });
    expect(await counts()).toEqual(before);
  });

  it('by a [#number] token in the subject when the headers name no message of ours', async () => {
    const ticket = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    await app.em().nativeUpdate(Ticket, { id: ticket.id }, { number: 987654 });

    const answer = await post(fixture('reply-token.eml'));
    expect(answer).toMatchObject({ status: 201, body: { ticketNumber: 987654, outcome: 'REPLIED' } });
    const seen = await view(ticket);
    // Grace writes from the business's domain but is no contact and not the submitter: no status move.
    expect(seen.status).toBe('IN_PROGRESS');
    expect(seen.comments.nodes).toEqual([
      {
        body: "I am Carol's colleague in accounting: the corrected rate is 19%, as in\ncontract C-2291.\n\nGrace",
        isInternal: false,
        authorName: 'Grace Lee',
        author: null,
      },
    ]);
  });

  it('by References naming a message we sent (OUTBOUND)', async () => {
    const ticket = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    const em = app.em();
    em.create(EmailMessage, { messageId: '<notification-7f3a2c@ticketgraph.example>', ticket: ticket.id, direction: EmailDirection.OUTBOUND });
    await em.flush();

    const answer = await post(fixture('reply-to-outbound.eml'));
    expect(answer).toMatchObject({ status: 201, body: { ticketNumber: ticket.number, outcome: 'REPLIED' } });
    expect((await view(ticket)).comments.nodes.map((c) => c.body)).toEqual(['Thanks, that fixed it.']);
  });
});

describe('the same Message-ID twice', () => {
  it('creates one ticket, also when the copies arrive at the same moment', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(fixture('duplicate.eml'))));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(answers.map((a) => a.body.outcome).sort()).toEqual(['CREATED', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE', 'DUPLICATE']);
    const numbers = new Set(answers.map((a) => a.body.ticketNumber));
    expect(numbers.size).toBe(1);
    for (const answer of answers) expect(Object.keys(answer.body).sort()).toEqual(['outcome', 'ticketNumber']);

    const em = app.em();
    expect(await em.count(Ticket, { submitterEmail: 'kim.novak@initech.example' })).toBe(1);
    expect(await em.count(EmailMessage, { messageId: '<dup-0010.1764000000@smtp.initech.example>' })).toBe(1);

    const before = await counts();
    const later = await post(fixture('duplicate.eml'));
    expect(later).toMatchObject({ status: 200, body: { ticketNumber: [...numbers][0], outcome: 'DUPLICATE' } });
    expect(await counts()).toEqual(before);
  });
});

describe('a refused message writes nothing', () => {
  it('answers 400 with a reason for an empty, unparsable or sender-less message', async () => {
    const before = await counts();
    const garbage = Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x88, 0x0a, 0xc3, 0x28, 0x00, 0x7f, 0x0d, 0x0a, 0x9f, 0x92, 0x96]);
    const cases: [Buffer | string, string][] = [
      [garbage, 'MALFORMED_MESSAGE'],
      [fixture('no-headers.eml'), 'MALFORMED_MESSAGE'],
      [fixture('missing-from.eml'), 'MISSING_SENDER'],
      [fixture('plain.eml').toString().replace('From: Carol Jones <carol.jones@acme.example>', 'From: Carol Jones <carol at acme>'), 'MISSING_SENDER'],
      [Buffer.alloc(0), 'EMPTY_MESSAGE'],
      ['\r\n\r\n', 'EMPTY_MESSAGE'],
    ];
    for (const [message, code] of cases) {
      const answer = await post(message);
      expect(answer).toMatchObject({ status: 400, body: { error: { code, message: expect.any(String) } } });
    }
    expect(await counts()).toEqual(before);
  });

  it('answers 401 without the shared secret, with a wrong one, or with another scheme', async () => {
    const before = await counts();
    for (const authorization of [null, 'Bearer wrong-secret-0000000', `Bearer ${SECRET.slice(0, -1)}`, `Bearer ${SECRET}x`, `Basic ${SECRET}`, SECRET]) {
      const answer = await post(fixture('duplicate.eml').toString().replace('dup-0010', 'auth-0012'), { authorization });
      expect(answer).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHENTICATED' } } });
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect(await counts()).toEqual(before);
    expect((await fetch(inboundUrl(app))).status).toBe(405);
  });

  it('answers 413 for a message over INBOUND_EMAIL_MAX_BYTES, and takes one under it', async () => {
    const small = await startTestApp({ INBOUND_EMAIL_SECRET: SECRET, INBOUND_EMAIL_MAX_BYTES: '2048' });
    try {
      const before = await counts(small);
      const padding = 'The printer still jams on every second page.\r\n'.repeat(60);
      const big = fixture('plain.eml').toString().replace('Thanks,\r\nCarol', `${padding}Thanks,\r\nCarol`);
      expect(Buffer.byteLength(big)).toBeGreaterThan(2048);
      const answer = await post(big, { to: small });
      expect(answer).toMatchObject({ status: 413, body: { error: { code: 'MESSAGE_TOO_LARGE', message: expect.stringContaining('2048') } } });
      expect(await counts(small)).toEqual(before);
      expect((await post(fixture('plain.eml'), { to: small })).status).toBe(201);
    } finally {
      await small.stop();
    }
  });

  it('is not served at all (404) while INBOUND_EMAIL_SECRET is unset', async () => {
    const off = await startTestApp();
    try {
      expect((await post(fixture('plain.eml'), { to: off })).status).toBe(404);
      expect(await off.em().count(Ticket, {})).toBe(0);
    } finally {
      await off.stop();
    }
  });
});

describe('Ticket.attachments', () => {
  it('is batched: a page of tickets costs the same statements at 2 rows and at 10', async () => {
    await ticketFor('mixed-pdf.eml');
    await ticketFor('inline-image.eml');
    const few = await app.countStatements(() => app.gql(EmailTicketAttachmentsDocument, { first: 2 }, agent.token));
    const many = await app.countStatements(() => app.gql(EmailTicketAttachmentsDocument, { first: 10 }, agent.token));
    expect(many.result.data!.tickets.nodes.length).toBeGreaterThan(2);
    expect(many.statements).toBe(few.statements);
  });
});
