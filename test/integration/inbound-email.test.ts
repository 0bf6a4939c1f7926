import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ChangeTicketStatusDocument, EmailTicketAttachmentsDocument, EmailTicketDocument } from '../__generated__/graphql';
import { Contact } from '../../src/modules/businesses/contact.entity';
import { Comment } from '../../src/modules/comments/comment.entity';
import { Attachment } from '../../src/modules/intake/attachment.entity';
import { EmailDirection, EmailMessage } from '../../src/modules/intake/email-message.entity';
import { replyAddress, replyTokenKey } from '../../src/modules/intake/email/reply-token';
import { TicketEvent, TicketEventType } from '../../src/modules/tickets/ticket-event.entity';
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
      emailCheck: null,
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

  it('not by a [#number] token in the subject alone: that is an internal note marked THREAD_UNVERIFIED', async () => {
    const ticket = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    await app.em().nativeUpdate(Ticket, { id: ticket.id }, { number: 987654 });

    const answer = await post(fixture('reply-token.eml'));
    expect(answer).toMatchObject({ status: 201, body: { ticketNumber: 987654, outcome: 'NOTED' } });
    const seen = await view(ticket);
    expect(seen.status).toBe('IN_PROGRESS');
    expect(seen.comments.nodes).toEqual([
      {
        body:
          'Unverified thread: only [#987654] in the subject names this ticket (no Message-ID of ours, no reply address of the ticket).\n\n' +
          "I am Carol's colleague in accounting: the corrected rate is 19%, as in\ncontract C-2291.\n\nGrace",
        isInternal: true,
        authorName: 'Grace Lee',
        emailCheck: 'THREAD_UNVERIFIED',
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

/** Moves a ticket through these statuses as the agent, with the reason the waiting and resolved states need. */
async function move(ticket: Ticket, ...path: TicketStatus[]) {
  for (const status of path) {
    const reason = status === TicketStatus.WAITING_ON_CUSTOMER || status === TicketStatus.RESOLVED ? { reason: 'Over to you' } : {};
    const result = await app.gql(ChangeTicketStatusDocument, { input: { ticketId: ticket.globalId, status: status as never, ...reason } }, agent.token);
    expect(result.errors).toBeUndefined();
  }
}

/** A ticket of Acme's whose contact and submitter is Carol, waiting on her, with a Message-ID we sent for it. */
async function waitingOnCarol(sentMessageId?: string): Promise<Ticket> {
  const ticket = await make.ticket(app, { business: acme });
  const em = app.em();
  await em.nativeUpdate(Ticket, { id: ticket.id }, { contact: carol.id, submitterEmail: 'carol.jones@acme.example' });
  if (sentMessageId) {
    em.create(EmailMessage, { messageId: sentMessageId, ticket: ticket.id, direction: EmailDirection.OUTBOUND });
    await em.flush();
  }
  await move(ticket, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CUSTOMER);
  return ticket;
}

/** A fixture with header lines put on top, its Message-ID replaced, and other text swapped. */
function variant(name: string | Buffer, changes: { messageId?: string; top?: string[]; replace?: [string, string][] }): string {
  let raw = (typeof name === 'string' ? fixture(name) : name).toString();
  if (changes.messageId) raw = raw.replace(/^Message-ID: .*$/im, `Message-ID: ${changes.messageId}`);
  for (const [from, to] of changes.replace ?? []) {
    expect(raw).toContain(from);
    raw = raw.replace(from, to);
  }
  return [...(changes.top ?? []), raw].join('\r\n');
}

/** The newest comment on a ticket, with its COMMENTED timeline entry. */
async function newest(ticket: Ticket) {
  const em = app.em();
  const comment = await em.findOneOrFail(Comment, { ticket: ticket.id }, { orderBy: { createdAt: 'desc' } });
  const event = await em.findOneOrFail(TicketEvent, { ticket: ticket.id, type: TicketEventType.COMMENTED }, { orderBy: { position: 'desc' } });
  return { comment, event };
}

/** A note kept from an email: internal, by the bare sender address, marked with why, unseen by the customer. */
async function expectNote(ticket: Ticket, check: string, startsWith: string) {
  const { comment, event } = await newest(ticket);
  expect(comment).toMatchObject({ isInternal: true, emailCheck: check, authorContact: null, author: null });
  expect(comment.body.startsWith(startsWith)).toBe(true);
  expect(event).toMatchObject({ isInternal: true, actorContact: null, actor: null });
  const customerSees = (await view(ticket, carolToken)).comments.nodes.map((c) => c.body);
  expect(customerSees).not.toContain(comment.body);
  return comment;
}

describe('a sender that failed the forwarder’s checks never acts as the contact', () => {
  it('the issue example: Carol’s From, dmarc=fail, subject Re: [#n] → an internal note, no status move, not by Carol', async () => {
    const ticket = await waitingOnCarol();
    const forged = variant('forged-dmarc-fail.eml', { replace: [['[#1033]', `[#${ticket.number}]`]] });
    const answer = await post(forged);
    expect(answer).toMatchObject({ status: 201, body: { ticketNumber: ticket.number, outcome: 'NOTED' } });
    expect((await view(ticket)).status).toBe('WAITING_ON_CUSTOMER');
    const note = await expectNote(
      ticket,
      'SENDER_UNVERIFIED',
      'Unverified sender: Authentication-Results mx.ticketgraph.example says dmarc=fail, so this is not taken as written by carol.jones@acme.example.\n\nAll fixed on our side',
    );
    expect(note.authorName).toBe('Carol Jones');
    expect(await app.em().count(TicketEvent, { ticket: ticket.id, actorContact: carol.id })).toBe(0);
  });

  it('dmarc=fail also when the message names our Message-ID; the same message with dmarc=pass is Carol’s reply as before', async () => {
    const ticket = await waitingOnCarol('<notify-forged-1@ticketgraph.example>');
    const threaded = (messageId: string, dmarc: string) =>
      variant('forged-dmarc-fail.eml', {
        messageId,
        replace: [
          ['[#1033] ', ''],
          ['dmarc=fail (p=NONE sp=NONE dis=NONE)', dmarc],
          ['Date: Tue', 'In-Reply-To: <notify-forged-1@ticketgraph.example>\r\nDate: Tue'],
        ],
      });
    const failed = await post(threaded('<forged-2@bulk-sender.example>', 'dmarc=fail (p=REJECT)'));
    expect(failed.body).toEqual({ ticketNumber: ticket.number, outcome: 'NOTED' });
    expect((await view(ticket)).status).toBe('WAITING_ON_CUSTOMER');
    await expectNote(ticket, 'SENDER_UNVERIFIED', 'Unverified sender: Authentication-Results mx.ticketgraph.example says dmarc=fail');

    // The lower header, added by the sender, says pass as well: the topmost (our server's) one counts.
    const passed = await post(threaded('<genuine-3@mail.acme.example>', 'dmarc=pass'));
    expect(passed).toMatchObject({ status: 201, body: { ticketNumber: ticket.number, outcome: 'REPLIED' } });
    expect((await view(ticket)).status).toBe('IN_PROGRESS');
    const { comment } = await newest(ticket);
    expect(comment).toMatchObject({ isInternal: false, emailCheck: null, authorContact: { id: carol.id } });
  });

  it('spf=softfail with dkim=fail (no DMARC policy) → a note; with dkim=pass, or spf=pass, → Carol’s reply', async () => {
    const original = await ticketFor('plain.eml');
    await app.em().nativeUpdate(Ticket, { id: original.id }, { status: TicketStatus.IN_PROGRESS });
    await move(original, TicketStatus.WAITING_ON_CUSTOMER);

    const failed = await post(fixture('spf-dkim-fail.eml'));
    expect(failed.body).toEqual({ ticketNumber: original.number, outcome: 'NOTED' });
    expect((await view(original)).status).toBe('WAITING_ON_CUSTOMER');
    await expectNote(original, 'SENDER_UNVERIFIED', 'Unverified sender: Authentication-Results mx.ticketgraph.example says spf=softfail and dkim=fail');

    const spfFail = variant('spf-dkim-fail.eml', { messageId: '<spf-fail-4@mail.acme.example>', replace: [['spf=softfail', 'spf=fail']] });
    expect((await post(spfFail)).body.outcome).toBe('NOTED');
    const noDkim = variant('spf-dkim-fail.eml', { messageId: '<spf-fail-5@mail.acme.example>', replace: [['dkim=fail (bad signature)', 'dkim=none']] });
    expect((await post(noDkim)).body.outcome).toBe('NOTED');
    expect((await view(original)).status).toBe('WAITING_ON_CUSTOMER');

    const dkimPass = variant('spf-dkim-fail.eml', { messageId: '<dkim-pass-6@mail.acme.example>', replace: [['dkim=fail (bad signature)', 'dkim=pass']] });
    expect((await post(dkimPass)).body).toEqual({ ticketNumber: original.number, outcome: 'REPLIED' });
    expect((await view(original)).status).toBe('IN_PROGRESS');
    await move(original, TicketStatus.WAITING_ON_CUSTOMER);
    const spfPass = variant('spf-dkim-fail.eml', { messageId: '<spf-pass-7@mail.acme.example>', replace: [['spf=softfail', 'spf=pass']] });
    expect((await post(spfPass)).body.outcome).toBe('REPLIED');
    expect((await view(original)).status).toBe('IN_PROGRESS');
  });

  it('a new message that failed opens an UNASSIGNED ticket linked to nobody, with a note; the contact never sees it', async () => {
    const forged = variant('forged-dmarc-fail.eml', { messageId: '<forged-new-8@bulk-sender.example>', replace: [['Re: [#1033] ', '']] });
    const answer = await post(forged);
    expect(answer).toMatchObject({ status: 201, body: { outcome: 'CREATED' } });
    const ticket = await app.em().findOneOrFail(Ticket, { number: answer.body.ticketNumber as number });
    const seen = await view(ticket);
    expect(seen).toMatchObject({ status: 'UNASSIGNED', business: null, contact: null, submitterEmail: 'carol.jones@acme.example', title: 'Printer on the 3rd floor jams' });
    expect(seen.description).toMatch(/^All fixed on our side/);
    expect(seen.comments.nodes).toEqual([
      {
        body: expect.stringMatching(/^Unverified sender: Authentication-Results mx\.ticketgraph\.example says dmarc=fail\. This ticket was not linked/),
        isInternal: true,
        authorName: 'Ticketgraph',
        emailCheck: 'SENDER_UNVERIFIED',
        author: null,
      },
    ]);
    expect(await app.em().count(TicketEvent, { ticket: ticket.id, actorContact: { $ne: null } })).toBe(0);
    const hidden = await app.gql(EmailTicketDocument, { id: ticket.globalId }, carolToken);
    expect(hidden.errors![0].extensions!.code).toBe('NOT_FOUND');
  });

  it('INBOUND_AUTHSERV_ID: only that server’s headers count, wherever they stand', async () => {
    const relayed = (messageId: string) =>
      variant('plain.eml', {
        messageId,
        top: ['Authentication-Results: relay.partner.example; dmarc=pass header.from=acme.example'],
        replace: [['Received: from mail.acme.example', 'Authentication-Results: mx.ticketgraph.example; dmarc=fail header.from=acme.example\r\nReceived: from mail.acme.example']],
      });
    // Unset: the topmost header's server (the relay) is believed.
    const trusting = await post(relayed('<relayed-9@mail.acme.example>'));
    const ticket = await app.em().findOneOrFail(Ticket, { number: trusting.body.ticketNumber as number });
    expect((await view(ticket)).contact).toEqual({ id: carol.globalId });

    const strict = await startTestApp({ INBOUND_EMAIL_SECRET: SECRET, INBOUND_AUTHSERV_ID: 'MX.ticketgraph.example' });
    try {
      const answer = await post(relayed('<relayed-10@mail.acme.example>'), { to: strict });
      expect(answer.body.outcome).toBe('CREATED');
      const opened = await strict.em().findOneOrFail(Ticket, { number: answer.body.ticketNumber as number });
      // That database has no Acme: what shows the verdict is the note.
      expect(opened).toMatchObject({ status: TicketStatus.UNASSIGNED, business: null, contact: null });
      expect(await strict.em().find(Comment, { ticket: opened.id })).toEqual([expect.objectContaining({ isInternal: true, emailCheck: 'SENDER_UNVERIFIED' })]);
    } finally {
      await strict.stop();
    }
  });
});

describe('automatic mail never opens, reopens or moves a ticket', () => {
  it('an out-of-office reply (Auto-Submitted: auto-replied) to a RESOLVED ticket is a note; the ticket stays RESOLVED', async () => {
    const original = await ticketFor('plain.eml');
    await app.em().nativeUpdate(Ticket, { id: original.id }, { status: TicketStatus.IN_PROGRESS });
    await move(original, TicketStatus.RESOLVED);

    const answer = await post(fixture('out-of-office.eml'));
    expect(answer).toMatchObject({ status: 201, body: { ticketNumber: original.number, outcome: 'NOTED' } });
    expect((await view(original)).status).toBe('RESOLVED');
    await expectNote(original, 'AUTOMATIC', 'Automatic mail (Auto-Submitted: auto-replied).\n\nI am out of the office until 14 December');
  });

  it('a new out-of-office reply opens no ticket: IGNORED (200), its Message-ID kept so a redelivery is a DUPLICATE', async () => {
    const before = await counts();
    const answer = await post(fixture('out-of-office-new.eml'));
    expect(answer).toMatchObject({ status: 200, body: { ticketNumber: null, outcome: 'IGNORED' } });
    expect(await counts()).toEqual({ ...before, messages: before.messages + 1 });
    expect(await app.em().findOneOrFail(EmailMessage, { messageId: '<ooo-new-0004.1764664210@smtp.initech.example>' })).toMatchObject({ ticket: null, comment: null });
    expect(await post(fixture('out-of-office-new.eml'))).toMatchObject({ status: 200, body: { ticketNumber: null, outcome: 'DUPLICATE' } });
    expect(await counts()).toEqual({ ...before, messages: before.messages + 1 });
  });

  const markers: [string, { top?: string[]; replace?: [string, string][] }][] = [
    ['Auto-Submitted: auto-generated', { top: ['Auto-Submitted: auto-generated'] }],
    ['Auto-Submitted: auto-replied with parameters', { top: ['Auto-Submitted: Auto-Replied; owner-email="kim.novak@initech.example"'] }],
    ['Auto-Submitted: auto-notified', { top: ['Auto-Submitted: auto-notified'] }],
    ['Precedence: bulk', { top: ['Precedence: bulk'] }],
    ['Precedence: list', { top: ['Precedence: list'] }],
    ['Precedence: junk', { top: ['Precedence: junk'] }],
    ['Precedence: auto_reply', { top: ['Precedence: auto_reply'] }],
    ['X-Autoreply', { top: ['X-Autoreply: yes'] }],
    ['X-Autorespond', { top: ['X-Autorespond: Kim is away'] }],
    ['X-Auto-Response-Suppress', { top: ['X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply'] }],
    ['an empty Return-Path', { top: ['Return-Path: <>'] }],
    ['a mailer-daemon sender', { replace: [['From: Kim Novak <kim.novak@initech.example>', 'From: Mail Delivery System <MAILER-DAEMON@smtp.initech.example>']] }],
    ['a postmaster sender', { replace: [['From: Kim Novak <kim.novak@initech.example>', 'From: postmaster@initech.example']] }],
    ['a multipart/report body', { replace: [['Content-Type: text/plain; charset=us-ascii', 'Content-Type: multipart/report; report-type=disposition-notification; boundary="b1"'], ['The password', '--b1\r\nContent-Type: text/plain\r\n\r\nThe password']] }],
  ];
  it.each(markers)('%s: a new message is IGNORED, no ticket', async (label, changes) => {
    const before = await counts();
    const messageId = `<auto-${label.replace(/\W+/g, '-')}@smtp.initech.example>`;
    const answer = await post(variant('duplicate.eml', { messageId, ...changes }));
    expect(answer).toMatchObject({ status: 200, body: { ticketNumber: null, outcome: 'IGNORED' } });
    expect(await counts()).toEqual({ ...before, messages: before.messages + 1 });
  });

  it.each([['Auto-Submitted: no'], ['Precedence: first-class'], ['Return-Path: <kim.novak@initech.example>']])('%s is mail a person wrote: CREATED', async (header) => {
    const messageId = `<person-${header.replace(/\W+/g, '-')}@smtp.initech.example>`;
    expect((await post(variant('duplicate.eml', { messageId, top: [header] }))).body.outcome).toBe('CREATED');
  });

  it('a bounce (multipart/report delivery status) opens no ticket; one that names a message we sent is a note on its ticket', async () => {
    const before = await counts();
    expect(await post(fixture('bounce.eml'))).toMatchObject({ status: 200, body: { ticketNumber: null, outcome: 'IGNORED' } });
    expect((await counts()).tickets).toBe(before.tickets);

    const ticket = await waitingOnCarol('<notification-9c1d@ticketgraph.example>');
    const threaded = variant('bounce.eml', {
      messageId: '<f3b2a1d0-ndr-0011@VI1PR03MB.eurprd03.prod.outlook.com>',
      replace: [['Date: Wed', 'References: <notification-9c1d@ticketgraph.example>\r\nDate: Wed']],
    });
    expect(await post(threaded)).toMatchObject({ status: 201, body: { ticketNumber: ticket.number, outcome: 'NOTED' } });
    expect((await view(ticket)).status).toBe('WAITING_ON_CUSTOMER');
    await expectNote(ticket, 'AUTOMATIC', 'Automatic mail (Content-Type: multipart/report).\n\nDelivery has failed');
  });
});

describe('the ticket’s signed reply address', () => {
  const key = replyTokenKey(SECRET);
  const sendTo = (address: string, messageId: string) => variant('reply-address.eml', { messageId, replace: Array(3).fill(['{{REPLY_ADDRESS}}', address]) });

  it('threads a reply without our Message-ID or a [#number]: Carol’s external comment, WAITING_ON_CUSTOMER → IN_PROGRESS', async () => {
    const ticket = await waitingOnCarol();
    const address = replyAddress(key, 'support@ticketgraph.example', ticket);
    expect(address).toMatch(new RegExp(`^support\\+t${ticket.number}-[a-z2-7]{16}@ticketgraph\\.example$`));
    const answer = await post(sendTo(address, '<CAFx8mR2addr0007@mail.acme.example>'));
    expect(answer).toMatchObject({ status: 201, body: { ticketNumber: ticket.number, outcome: 'REPLIED' } });
    expect((await view(ticket)).status).toBe('IN_PROGRESS');
    const { comment } = await newest(ticket);
    expect(comment).toMatchObject({ isInternal: false, body: 'The log you asked for: E-1021 again at 09:30, tray 2.', authorContact: { id: carol.id } });
  });

  it('a tampered tag, another ticket’s tag, or a tag made with another secret threads nowhere: a new ticket', async () => {
    const ticket = await waitingOnCarol();
    const other = await make.ticket(app, { business: acme });
    const genuine = replyAddress(key, 'support@ticketgraph.example', ticket);
    const comments = () => app.em().count(Comment, { ticket: { $in: [ticket.id, other.id] } });
    const before = await comments();
    const mac = /-([a-z2-7]{16})@/.exec(genuine)![1];
    const flipped = `${mac.slice(0, -1)}${mac.endsWith('a') ? 'b' : 'a'}`;
    const forged = [
      genuine.replace(mac, flipped),
      genuine.replace(`+t${ticket.number}-`, `+t${other.number}-`),
      replyAddress(replyTokenKey('another-inbound-secret-456'), 'support@ticketgraph.example', ticket),
    ];
    for (const [index, address] of forged.entries()) {
      const answer = await post(sendTo(address, `<tampered-${index}@mail.acme.example>`));
      expect(answer).toMatchObject({ status: 201, body: { outcome: 'CREATED' } });
      expect(answer.body.ticketNumber).not.toBe(ticket.number);
      expect(answer.body.ticketNumber).not.toBe(other.number);
    }
    expect((await view(ticket)).status).toBe('WAITING_ON_CUSTOMER');
    expect(await comments()).toBe(before);
  });
});

describe('a [#number] subject alone never acts as the contact', () => {
  it('even from the ticket’s own contact, with every check passed: a note marked THREAD_UNVERIFIED, no status move', async () => {
    const ticket = await waitingOnCarol();
    const fromCarol = variant('reply-token.eml', {
      messageId: '<subject-only-12@mail.acme.example>',
      top: ['Authentication-Results: mx.ticketgraph.example; spf=pass smtp.mailfrom=acme.example; dkim=pass header.d=acme.example; dmarc=pass'],
      replace: [
        ['From: Grace Lee <grace.lee@acme.example>', 'From: Carol Jones <carol.jones@acme.example>'],
        ['[#987654]', `[#${ticket.number}]`],
      ],
    });
    const answer = await post(fromCarol);
    expect(answer).toMatchObject({ status: 201, body: { ticketNumber: ticket.number, outcome: 'NOTED' } });
    expect((await view(ticket)).status).toBe('WAITING_ON_CUSTOMER');
    await expectNote(ticket, 'THREAD_UNVERIFIED', `Unverified thread: only [#${ticket.number}] in the subject names this ticket`);
  });

  it('nor does replying to a message that was only a note: its Message-ID proves no thread', async () => {
    const ticket = await waitingOnCarol();
    const first = variant('reply-token.eml', { messageId: '<stranger-13@mail.acme.example>', replace: [['[#987654]', `[#${ticket.number}]`]] });
    expect((await post(first)).body).toEqual({ ticketNumber: ticket.number, outcome: 'NOTED' });
    const followUp = variant('reply-token.eml', {
      messageId: '<stranger-14@mail.acme.example>',
      replace: [
        ['In-Reply-To: <lost-in-another-mailbox-1234@mail.acme.example>', 'In-Reply-To: <stranger-13@mail.acme.example>'],
        ['Re: [#987654] ', 'Re: '],
      ],
    });
    const answer = await post(followUp);
    expect(answer.body.outcome).toBe('CREATED');
    expect(answer.body.ticketNumber).not.toBe(ticket.number);
    expect((await view(ticket)).comments.nodes.filter((c) => !c.isInternal)).toEqual([]);
  });
});
