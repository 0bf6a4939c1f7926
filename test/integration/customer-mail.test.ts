import type { ParsedMail } from 'mailparser';
import {
  AddCommentDocument,
  AssignTicketDocument,
  ChangeTicketStatusDocument,
  ContactMailStatusDocument,
  CreateTicketDocument,
  ReopenTicketDocument,
  ResolveTicketDocument,
  ScheduleFollowUpDocument,
  SetTicketDueDateDocument,
  SetTicketTagsDocument,
  SubmitTicketDocument,
  TicketStatus,
  UpdateContactMailDocument,
} from '../__generated__/graphql';
import { Comment } from '../../src/modules/comments/comment.entity';
import { fromGlobalId } from '../../src/shared/global-id';
import { Delivery, DeliveryStatus } from '../../src/modules/deliveries/delivery.entity';
import { EmailDirection, EmailMessage } from '../../src/modules/intake/email-message.entity';
import { MailRecipient } from '../../src/modules/mail/mail-recipient.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { autoCloseQuietTickets } from '../../src/modules/tickets/auto-close.job';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import * as make from '../factories';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../setup/smtp-sink';
import { startTestApp, type TestApp } from '../setup/test-app';

const SECRET = 'test-inbound-secret-123';
const PUBLIC_URL = 'https://help.ticketgraph.test';
const CAP = 6;

let smtp: SmtpSink;
let app: TestApp;
let agent: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let customer: make.Customer;

beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Help Desk <help@ticketgraph.test>',
    PUBLIC_URL,
    INBOUND_EMAIL_SECRET: SECRET,
    MAIL_CAP_PER_TICKET: String(CAP),
  });
  agent = await make.staffUser(app);
  acme = await make.business(app, { name: 'Acme', domain: 'acme-mail.example' });
  customer = await make.customer(app, acme);
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
});

/** Decides what the timeline asks for, then sends what is due: the mail a running server would send. */
async function deliver(): Promise<ReceivedMail[]> {
  const before = smtp.received.length;
  await app.app.consumers.catchUp('customer-mail');
  await app.app.deliveries.runDue();
  const all = await app.em().find(Delivery, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
  all.forEach((delivery, index) => deliveryOrder.set((delivery.payload as { messageId: string }).messageId, index));
  return smtp.received.slice(before);
}

/** The mails to `address`, in the order they were decided (several are sent at once, so they may arrive in any order). */
function to(mails: ReceivedMail[], address: string): ReceivedMail[] {
  const decided = (mail: ReceivedMail) => deliveryOrder.get(mail.parsed.messageId ?? '') ?? 0;
  return mails.filter((mail) => mail.to.includes(address)).sort((a, b) => decided(a) - decided(b));
}
/** Message-ID → position of its delivery, oldest first (filled by deliver()). */
const deliveryOrder = new Map<string, number>();
const header = (mail: ParsedMail, name: string) => mail.headers.get(name) as string | undefined;

async function ok<T>(promise: Promise<{ data?: T | null; errors?: unknown }>): Promise<T> {
  const result = await promise;
  expect(result.errors).toBeUndefined();
  return result.data!;
}

async function ticketFor(contact: { globalId: string }, title = 'Printer jams') {
  const data = await ok(app.gql(CreateTicketDocument, { input: { title, description: 'It jams.', contactId: contact.globalId } }, agent.token));
  return data.createTicket.ticket;
}

const comment = (ticketId: string, body: string, isInternal = false, token = agent.token) => ok(app.gql(AddCommentDocument, { input: { ticketId, body, isInternal } }, token));
const move = (ticketId: string, status: TicketStatus, reason?: string, notifyCustomer = false) =>
  ok(app.gql(ChangeTicketStatusDocument, { input: { ticketId, status, reason, notifyCustomer } }, agent.token));
const resolve = (ticketId: string, resolutionNotes: string, notifyCustomer: boolean) => ok(app.gql(ResolveTicketDocument, { input: { ticketId, resolutionNotes, notifyCustomer } }, agent.token));

/** The link of a mail's text that starts with PUBLIC_URL and holds `part`, as a URL on the test server. */
function linkIn(mail: ReceivedMail, part: string): string {
  const link = (mail.parsed.text ?? '').split(/\s+/).find((word) => word.startsWith(PUBLIC_URL) && word.includes(part));
  expect(link).toBeDefined();
  return link!.replace(PUBLIC_URL, app.url.replace(/\/graphql$/, ''));
}

const form = (url: string, fields: Record<string, string>) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

async function postInbound(raw: string | Buffer) {
  const response = await fetch(app.url.replace(/\/graphql$/, '/inbound/email'), {
    method: 'POST',
    headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${SECRET}` },
    body: raw,
  });
  return (await response.json()) as { ticketNumber: number | null; outcome: string };
}

/** A ticket's deliveries, oldest first; the ticket by its global id. */
const deliveriesOf = (ticketGlobalId: string) =>
  app.em().find(Delivery, { ticket: fromGlobalId(ticketGlobalId)?.id ?? ticketGlobalId }, { orderBy: { createdAt: 'asc', id: 'asc' } });

it('sends a receipt of a web-form ticket: number, reference, how to reply, threaded and marked automatic', async () => {
  const data = await ok(app.gql(SubmitTicketDocument, { input: { title: 'Cannot log in', description: 'Help.', name: 'Web Walter', email: 'walter@walter-mail.example' } }));
  const [receipt, ...more] = to(await deliver(), 'walter@walter-mail.example');
  expect(more).toHaveLength(0);
  const number = data.submitTicket.ticketNumber;
  expect(receipt.parsed.subject).toBe(`[#${number}] We received your request: Cannot log in`);
  expect(receipt.parsed.text).toContain(data.submitTicket.reference);
  expect(receipt.parsed.text).toContain('reply to this email');
  expect(receipt.parsed.html).toContain(data.submitTicket.reference);
  expect(header(receipt.parsed, 'auto-submitted')).toBe('auto-generated');
  expect(header(receipt.parsed, 'x-auto-response-suppress')).toBe('All');
  expect(receipt.parsed.replyTo?.value[0].address).toMatch(new RegExp(`^help\\+t${number}-[a-z2-7]{16}@ticketgraph\\.test$`));
  expect(receipt.raw.toString()).toMatch(/List-Unsubscribe:\s+<https:\/\/help\.ticketgraph\.test\/mail\/unsubscribe\/[A-Za-z0-9_-]{32}>/);
  expect(receipt.raw.toString()).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  const ticket = await app.em().findOneOrFail(Ticket, { number });
  expect(await app.em().findOne(EmailMessage, { messageId: receipt.parsed.messageId })).toMatchObject({ ticket: { id: ticket.id }, direction: EmailDirection.OUTBOUND, provesThread: true });

  // Deciding again decides nothing more: each entry's mail once.
  expect(await deliver()).toHaveLength(0);
  expect(await app.em().count(Delivery, { ticket: ticket.id })).toBe(1);
});

it("mails staff replies threaded onto the ticket's mail; never the customer's own comment, never an internal note", async () => {
  const ticket = await ticketFor(customer.contact);
  const [receipt] = to(await deliver(), customer.contact.email);
  await comment(ticket.id, 'An internal thought.', true);
  await comment(ticket.id, 'I add a detail.', false, customer.token);
  await comment(ticket.id, 'Please restart the printer.');
  const mails = to(await deliver(), customer.contact.email);
  expect(mails).toHaveLength(1);
  const [reply] = mails;
  expect(reply.parsed.subject).toBe(`Re: [#${ticket.number}] Printer jams`);
  expect(reply.parsed.text).toContain('Please restart the printer.');
  expect(reply.parsed.text).toContain(agent.user.name);
  expect(reply.parsed.inReplyTo).toBe(receipt.parsed.messageId);
  expect(reply.parsed.references).toEqual(receipt.parsed.messageId);
  expect(reply.parsed.messageId).not.toBe(receipt.parsed.messageId);
});

it('escapes every given string in the HTML part', async () => {
  const ticket = await ticketFor(customer.contact, '<script>alert("title")</script>');
  await comment(ticket.id, 'Try <script>alert(1)</script> & <b>bold</b>');
  const mails = to(await deliver(), customer.contact.email);
  expect(mails).toHaveLength(2);
  for (const mail of mails) {
    expect(mail.parsed.html).not.toMatch(/<script|<b>/i);
    expect(mail.parsed.html).toContain('&lt;script&gt;');
  }
  expect(mails[1].parsed.text).toContain('Try <script>alert(1)</script> & <b>bold</b>');
});

it('never puts internal content or staff detail in any mail, whatever kind of change is made', async () => {
  const marker = (what: string) => `SECRET-${what}-7f3a`;
  const colleague = await make.staffUser(app);
  const ticket = await ticketFor(customer.contact, 'Server down');
  await comment(ticket.id, marker('note'), true);
  await ok(app.gql(AssignTicketDocument, { input: { ticketId: ticket.id, assigneeId: colleague.user.globalId } }, agent.token));
  await ok(app.gql(SetTicketTagsDocument, { input: { ticketId: ticket.id, tags: [marker('tag').toLowerCase()] } }, agent.token));
  await ok(app.gql(SetTicketDueDateDocument, { input: { ticketId: ticket.id, dueAt: new Date(Date.now() + 86_400_000).toISOString(), justification: marker('due') } }, agent.token));
  await move(ticket.id, TicketStatus.IN_PROGRESS);
  await move(ticket.id, TicketStatus.WAITING_ON_CUSTOMER, marker('waiting'));
  await move(ticket.id, TicketStatus.IN_PROGRESS);
  await move(ticket.id, TicketStatus.WAITING_ON_THIRD_PARTY, marker('third-party'));
  await move(ticket.id, TicketStatus.IN_PROGRESS);
  await resolve(ticket.id, marker('resolution'), false);
  await ok(app.gql(ScheduleFollowUpDocument, { input: { ticketId: ticket.id, dueAt: new Date(Date.now() + 3_600_000).toISOString(), note: marker('followup') } }, agent.token));
  await ok(app.gql(ReopenTicketDocument, { input: { ticketId: ticket.id, reason: marker('reopen') } }, agent.token));
  await resolve(ticket.id, marker('second-resolution'), false);
  await move(ticket.id, TicketStatus.CLOSED);
  // Mail that may not act as its sender becomes an internal note on the ticket.
  const [receipt] = to(await deliver(), customer.contact.email);
  const autoReply = [
    `From: ${customer.contact.email}`,
    'To: help@ticketgraph.test',
    `Subject: Auto: ${receipt.parsed.subject}`,
    `Message-ID: <auto-${Date.now()}@acme-mail.example>`,
    `In-Reply-To: ${receipt.parsed.messageId}`,
    'Auto-Submitted: auto-replied',
    '',
    marker('inbound-note'),
    '',
  ].join('\r\n');
  expect((await postInbound(autoReply)).outcome).toBe('NOTED');

  const mails = [receipt, ...(await deliver())];
  const kinds = (await deliveriesOf(ticket.id)).map((delivery) => (delivery.payload as { kind: string }).kind);
  // Something was sent for this ticket (so the search below searched something): receipt, two resolutions, the closing.
  expect(kinds).toEqual(['RECEIPT', 'RESOLVED', 'RESOLVED', 'CLOSED']);
  const raw = mails.map((mail) => [mail.raw.toString(), mail.parsed.subject, mail.parsed.text, mail.parsed.html].join('\n')).join('\n');
  expect(raw).not.toContain('SECRET-');
  expect(raw.toLowerCase()).not.toContain('secret-');
  expect(raw).not.toContain(colleague.user.email);
  expect(raw).not.toContain(agent.user.email);
  expect(raw).not.toContain(colleague.user.name);
});

it('sends "waiting on you" with the reason written for the customer, once, and not the reason again as a comment', async () => {
  const ticket = await ticketFor(customer.contact);
  await move(ticket.id, TicketStatus.IN_PROGRESS);
  await move(ticket.id, TicketStatus.WAITING_ON_CUSTOMER, 'Which model is it?', true);
  const mails = to(await deliver(), customer.contact.email);
  expect(mails.map((mail) => mail.parsed.subject)).toEqual([`[#${ticket.number}] We received your request: Printer jams`, `[#${ticket.number}] Waiting on you: Printer jams`]);
  expect(mails[1].parsed.text).toContain('Which model is it?');
  expect(await app.em().count(Comment, { ticket: app.em().getReference(Ticket, (await app.em().findOneOrFail(Ticket, { number: ticket.number })).id), body: 'Which model is it?' })).toBe(1);
});

it('sends the resolution with its notes and links that work: rate once, reopen with a reason, confirm', async () => {
  const ticket = await ticketFor(customer.contact);
  await move(ticket.id, TicketStatus.IN_PROGRESS);
  await resolve(ticket.id, 'Replaced the roller.', true);
  const [, resolution] = to(await deliver(), customer.contact.email);
  expect(resolution.parsed.subject).toBe(`[#${ticket.number}] Resolved: Printer jams`);
  expect(resolution.parsed.text).toContain('Replaced the roller.');

  // Rating: GET shows a form and changes nothing; POST rates with the one-time token.
  const rate = linkIn(resolution, '/mail/rate/');
  expect((await fetch(rate)).status).toBe(200);
  expect(await app.em().findOneOrFail(Ticket, { number: ticket.number })).toMatchObject({ satisfactionScore: null });
  expect((await form(rate, { score: '5', comment: 'Great' })).status).toBe(200);
  expect(await app.em().findOneOrFail(Ticket, { number: ticket.number })).toMatchObject({ satisfactionScore: 5, satisfactionToken: null });
  // Used: the token no longer opens the ticket.
  expect((await form(rate, { score: '1' })).status).toBe(404);

  // Reopen through the link, as the contact; the next resolution makes a new link, the old one stops working.
  const resolutionPage = linkIn(resolution, '/mail/resolution/');
  const page = await fetch(resolutionPage);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('Reopen the ticket');
  expect((await form(resolutionPage, { action: 'reopen', reason: '' })).status).toBe(400);
  expect((await form(resolutionPage, { action: 'reopen', reason: 'Still jams on tray 2.' })).status).toBe(200);
  expect(await app.em().findOneOrFail(Ticket, { number: ticket.number })).toMatchObject({ status: 'IN_PROGRESS', reopenCount: 1 });
  expect((await form(resolutionPage, { action: 'confirm' })).status).toBe(409);
  await resolve(ticket.id, 'Replaced tray 2.', true);
  const [again] = to(await deliver(), customer.contact.email);
  expect(again.parsed.text).not.toContain('/mail/rate/');
  expect((await form(linkIn(again, '/mail/resolution/'), { action: 'confirm' })).status).toBe(200);
  expect(await app.em().findOneOrFail(Ticket, { number: ticket.number })).toMatchObject({ status: 'CLOSED' });
  // The customer closed it: no closing mail back to them.
  expect(to(await deliver(), customer.contact.email)).toHaveLength(0);
  expect((await fetch(linkIn(resolution, '/mail/resolution/').replace(/\.[^.]+$/, '.AAAAAAAAAAAAAAAAAAAAAA'))).status).toBe(404);
});

it('threads a real reply to a sent mail back onto the ticket, with only the new text', async () => {
  const ticket = await ticketFor(customer.contact);
  await comment(ticket.id, 'Which floor is the printer on?');
  const [, sent] = to(await deliver(), customer.contact.email);
  const original = sent.raw.toString();
  const quoted = (sent.parsed.text ?? '').split('\n').map((line) => `> ${line}`).join('\r\n');
  const reply = [
    `From: ${customer.contact.name} <${customer.contact.email}>`,
    `To: ${sent.parsed.replyTo!.text}`,
    `Subject: Re: ${sent.parsed.subject}`,
    `Message-ID: <reply-${Date.now()}@acme-mail.example>`,
    `In-Reply-To: ${sent.parsed.messageId}`,
    `References: ${[header(sent.parsed, 'references') ?? '', sent.parsed.messageId].join(' ').trim()}`,
    'Date: Sun, 06 Dec 2026 11:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Third floor, next to the kitchen.',
    '',
    `On Sun, 6 Dec 2026 at 10:59, Help Desk <help@ticketgraph.test> wrote:`,
    quoted,
    '',
  ].join('\r\n');
  expect(original).toContain('Which floor is the printer on?');
  expect(await postInbound(reply)).toEqual({ ticketNumber: ticket.number, outcome: 'REPLIED' });
  const comments = await app.em().find(Comment, { ticket: { number: ticket.number } }, { orderBy: { createdAt: 'asc' } });
  expect(comments.map((each) => each.body)).toEqual(['Which floor is the printer on?', 'Third floor, next to the kitchen.']);
  // The customer's own words are not mailed back to them.
  expect(to(await deliver(), customer.contact.email)).toHaveLength(0);
});

it('answers no automatic mail, and never writes to our own or automatic addresses', async () => {
  const ticket = await ticketFor(customer.contact);
  const [receipt] = to(await deliver(), customer.contact.email);
  const autoReply = [
    `From: ${customer.contact.email}`,
    'To: help@ticketgraph.test',
    `Subject: Out of office: ${receipt.parsed.subject}`,
    `Message-ID: <ooo-${Date.now()}@acme-mail.example>`,
    `In-Reply-To: ${receipt.parsed.messageId}`,
    'Auto-Submitted: auto-replied',
    '',
    'I am away until Monday.',
    '',
  ].join('\r\n');
  const before = await app.em().count(Delivery, {});
  expect(await postInbound(autoReply)).toEqual({ ticketNumber: ticket.number, outcome: 'NOTED' });
  expect(await deliver()).toHaveLength(0);
  expect(await app.em().count(Delivery, {})).toBe(before);

  for (const email of ['help+t1-abc@ticketgraph.test', 'HELP@ticketgraph.test', 'no-reply@shop.example', 'mailer-daemon@shop.example']) {
    const data = await ok(app.gql(SubmitTicketDocument, { input: { title: 'Loop?', description: 'x', name: 'Robot', email } }));
    const sent = await deliver();
    expect(sent).toHaveLength(0);
    const [delivery] = await deliveriesOf((await app.em().findOneOrFail(Ticket, { number: data.submitTicket.ticketNumber })).globalId);
    expect(delivery).toMatchObject({ status: DeliveryStatus.CANCELLED });
    expect(delivery.lastError).toMatch(/own address|automatic mailbox/);
  }
});

it('caps mail per recipient and ticket, recording what is over the cap as CANCELLED with the reason', async () => {
  const ticket = await ticketFor(customer.contact);
  for (let i = 1; i <= CAP + 2; i += 1) await comment(ticket.id, `Update ${i}`);
  const sent = to(await deliver(), customer.contact.email);
  expect(sent).toHaveLength(CAP);
  const deliveries = await deliveriesOf(ticket.id);
  expect(deliveries.map((d) => d.status)).toEqual([...Array(CAP).fill(DeliveryStatus.DELIVERED), DeliveryStatus.CANCELLED, DeliveryStatus.CANCELLED, DeliveryStatus.CANCELLED]);
  expect(deliveries.at(-1)!.lastError).toContain(`${CAP} mails to this address about this ticket`);
});

it('stops mail to an address that bounced hard, at send (SMTP 5xx) or by a delivery report', async () => {
  // SMTP 554 (a policy refusal) fails the mail but says nothing about the address.
  const refused = await make.customer(app, acme);
  const policy = await ticketFor(refused.contact);
  smtp.refuseNext(1, 554, 'Message refused by policy');
  expect(await deliver()).toHaveLength(0);
  expect((await deliveriesOf(policy.id))[0]).toMatchObject({ status: DeliveryStatus.FAILED, responseCode: 554 });
  expect(await app.em().findOneOrFail(MailRecipient, { email: refused.contact.email })).toMatchObject({ bouncedAt: null });

  // SMTP 550 at send.
  const bounced = await make.customer(app, acme);
  const first = await ticketFor(bounced.contact);
  smtp.refuseNext(1, 550);
  expect(await deliver()).toHaveLength(0);
  expect((await deliveriesOf(first.id))[0]).toMatchObject({ status: DeliveryStatus.FAILED, responseCode: 550 });
  expect(await app.em().findOneOrFail(MailRecipient, { email: bounced.contact.email })).toMatchObject({ bouncedAt: expect.any(Date) });
  await comment(first.id, 'Are you there?');
  expect(await deliver()).toHaveLength(0);
  expect((await deliveriesOf(first.id))[1]).toMatchObject({ status: DeliveryStatus.CANCELLED, lastError: expect.stringContaining('bounced') });

  // A delivery report for one of our mails (a forged one naming another Message-ID changes nothing).
  const gone = await make.customer(app, acme);
  const second = await ticketFor(gone.contact);
  const [receipt] = to(await deliver(), gone.contact.email);
  const report = (messageId: string) =>
    [
      'From: Mail Delivery System <MAILER-DAEMON@mx.acme-mail.example>',
      'To: help@ticketgraph.test',
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <dsn-${messageId.slice(1, 9)}-${Date.now()}@mx.acme-mail.example>`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.acme-mail.example',
      '',
      `Final-Recipient: rfc822; ${gone.contact.email}`,
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
      '',
      '--B',
      'Content-Type: text/rfc822-headers',
      '',
      'From: help@ticketgraph.test',
      `To: ${gone.contact.email}`,
      `Message-ID: ${messageId}`,
      '',
      '--B--',
      '',
    ].join('\r\n');
  expect((await postInbound(report('<forged@ticketgraph.test>'))).outcome).toBe('IGNORED');
  expect(await app.em().findOne(MailRecipient, { email: gone.contact.email })).toMatchObject({ bouncedAt: null });
  expect((await postInbound(report(receipt.parsed.messageId!))).outcome).toMatch(/IGNORED|NOTED/);
  expect(await app.em().findOneOrFail(MailRecipient, { email: gone.contact.email })).toMatchObject({ bounceReason: expect.stringContaining('5.1.1') });
  await comment(second.id, 'Hello?');
  expect(await deliver()).toHaveLength(0);
  expect((await deliveriesOf(second.id)).at(-1)).toMatchObject({ status: DeliveryStatus.CANCELLED });
  // No mail answered the reports.
  expect(await app.em().count(Delivery, { target: 'mailer-daemon@mx.acme-mail.example' })).toBe(0);
});

it('lets a contact unsubscribe from optional mail by its link (GET asks, POST does it), and still sends what it must receive', async () => {
  const reader = await make.customer(app, acme);
  const ticket = await ticketFor(reader.contact);
  const [receipt] = to(await deliver(), reader.contact.email);
  const unsubscribe = /List-Unsubscribe:\s+<([^>]+)>/.exec(receipt.raw.toString())![1];
  const local = unsubscribe.replace(PUBLIC_URL, app.url.replace(/\/graphql$/, ''));
  const page = await fetch(local);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain(reader.contact.email);
  expect(await app.em().findOneOrFail(MailRecipient, { email: reader.contact.email })).toMatchObject({ unsubscribedAt: null });
  expect((await form(local, { 'List-Unsubscribe': 'One-Click' })).status).toBe(200);
  expect(await app.em().findOneOrFail(MailRecipient, { email: reader.contact.email })).toMatchObject({ unsubscribedAt: expect.any(Date) });
  expect((await fetch(`${app.url.replace(/\/graphql$/, '')}/mail/unsubscribe/not-a-token`)).status).toBe(404);
  // The page of an unsubscribed address offers to undo it, with a form posting to `<link>/again`.
  expect(await (await fetch(local)).text()).toMatch(/action="[A-Za-z0-9_-]+\/again"/);

  await move(ticket.id, TicketStatus.IN_PROGRESS);
  await move(ticket.id, TicketStatus.WAITING_ON_CUSTOMER, 'Send a photo, please.', true);
  await move(ticket.id, TicketStatus.IN_PROGRESS);
  await comment(ticket.id, 'We ordered the part.');
  const mails = to(await deliver(), reader.contact.email);
  expect(mails.map((mail) => mail.parsed.text?.includes('We ordered the part.'))).toEqual([true]);
  expect((await deliveriesOf(ticket.id)).find((d) => (d.payload as { kind: string }).kind === 'WAITING_ON_YOU')).toMatchObject({
    status: DeliveryStatus.CANCELLED,
    lastError: expect.stringContaining('unsubscribed'),
  });

  expect((await form(`${local}/again`, {})).status).toBe(200);
  await move(ticket.id, TicketStatus.WAITING_ON_CUSTOMER, 'And the serial number.', true);
  expect(to(await deliver(), reader.contact.email).map((mail) => mail.parsed.subject)).toEqual([`[#${ticket.number}] Waiting on you: Printer jams`]);
});

it('shows and changes a contact’s mail status in GraphQL: staff, keys by scope, the contact itself', async () => {
  const self = await make.customer(app, acme);
  const colleague = await make.customer(app, acme);
  const other = await make.customer(app, await make.business(app));
  const admin = await make.staffUser(app, 'ADMIN' as never);
  const reader = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ]);
  const writer = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ, ApiScope.TICKETS_WRITE]);
  const id = self.contact.globalId;
  const status = async (token: string) => (await app.gql(ContactMailStatusDocument, { id }, token)).data?.node;
  const update = (token: string, input: { subscribed?: boolean; clearBounce?: boolean }) => app.gql(UpdateContactMailDocument, { input: { contactId: id, ...input } }, token);

  for (const token of [agent.token, admin.token, reader, self.token]) expect(await status(token)).toMatchObject({ mailStatus: { email: self.contact.email, unsubscribedAt: null } });
  expect(await status(colleague.token)).toMatchObject({ mailStatus: null });
  const unscoped = await make.apiKey(app, admin.user, []);
  expect((await app.gql(ContactMailStatusDocument, { id }, unscoped)).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  expect((await app.gql(ContactMailStatusDocument, { id })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  expect((await update(unscoped, { subscribed: false })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  expect((await app.gql(UpdateContactMailDocument, { input: { contactId: id, subscribed: false } })).errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');

  expect((await update(self.token, { subscribed: false })).data?.updateContactMail.mailStatus?.unsubscribedAt).toEqual(expect.any(String));
  expect((await update(writer, { subscribed: true })).data?.updateContactMail.mailStatus?.unsubscribedAt).toBeNull();
  expect((await update(self.token, { clearBounce: true })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect((await update(colleague.token, { subscribed: false })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect((await update(reader, { subscribed: false })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect((await update(other.token, { subscribed: false })).errors?.[0].extensions?.code).toBe('NOT_FOUND');
  expect((await update(agent.token, {})).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'subscribed' });
  await app.em().nativeUpdate(MailRecipient, { email: self.contact.email }, { bouncedAt: new Date(), bounceReason: 'SMTP 550' });
  expect((await update(agent.token, { clearBounce: true })).data?.updateContactMail.mailStatus).toMatchObject({ bouncedAt: null, bounceReason: null });
  expect(await app.em().findOneOrFail(MailRecipient, { email: self.contact.email })).toMatchObject({ unsubscribedAt: null, bouncedAt: null });
});

it('keeps the same Message-ID on a retry after a temporary refusal (451)', async () => {
  const ticket = await ticketFor(customer.contact);
  smtp.refuseNext(1, 451);
  expect(await deliver()).toHaveLength(0);
  const [delivery] = await deliveriesOf(ticket.id);
  expect(delivery).toMatchObject({ status: DeliveryStatus.PENDING, responseCode: 451 });
  await app.em().nativeUpdate(Delivery, { id: delivery.id }, { nextAttemptAt: new Date(Date.now() - 1000) });
  const [sent] = await deliver();
  expect(sent.parsed.messageId).toBe((delivery.payload as { messageId: string }).messageId);
  expect((await deliveriesOf(ticket.id))[0]).toMatchObject({ status: DeliveryStatus.DELIVERED, attempts: 2 });
});

it('tells the customer when a quiet resolved ticket closes by itself, with the rating link while unused', async () => {
  const ticket = await ticketFor(customer.contact);
  await move(ticket.id, TicketStatus.IN_PROGRESS);
  await resolve(ticket.id, 'Cleaned the rollers.', true);
  await deliver();
  const id = fromGlobalId(ticket.id)!.id;
  await app.em().nativeUpdate(Ticket, { id }, { resolvedAt: new Date(Date.now() - 8 * 86_400_000) });
  expect(await autoCloseQuietTickets(app.em(), 7 * 86_400)).toBeGreaterThanOrEqual(1);
  const [closing, ...more] = to(await deliver(), customer.contact.email);
  expect(more).toHaveLength(0);
  expect(closing.parsed.subject).toBe(`[#${ticket.number}] Closed: Printer jams`);
  expect(closing.parsed.text).toContain('stayed resolved without an answer');
  expect(closing.parsed.text).toContain(`${PUBLIC_URL}/mail/rate/`);
});

it('sends no receipt to the sender of an email that failed the sender checks (no backscatter)', async () => {
  const raw = readFileSync(path.join(__dirname, '..', 'fixtures', 'email', 'forged-dmarc-fail.eml'))
    .toString()
    .replace('Subject: Re: [#1033] Printer on the 3rd floor jams', 'Subject: Printer on the 3rd floor jams');
  const answer = await postInbound(raw);
  expect(answer.outcome).toBe('CREATED');
  expect(await deliver()).toHaveLength(0);
  const ticket = await app.em().findOneOrFail(Ticket, { number: answer.ticketNumber! });
  expect(await app.em().count(Delivery, { ticket: ticket.id })).toBe(0);
});

it('decides a batch with the same number of statements for 2 tickets as for 20 (no N+1)', async () => {
  const statementsFor = async (count: number) => {
    await deliver();
    for (let i = 0; i < count; i += 1) {
      const ticket = await ticketFor(customer.contact);
      await comment(ticket.id, `Reply ${i}`);
      await move(ticket.id, TicketStatus.IN_PROGRESS);
      await move(ticket.id, TicketStatus.WAITING_ON_CUSTOMER, `Question ${i}`, true);
    }
    const { statements } = await app.countStatements(() => app.app.consumers.catchUp('customer-mail'));
    expect(await app.em().count(Delivery, { payload: { kind: 'WAITING_ON_YOU' } } as never)).toBeGreaterThanOrEqual(count);
    return statements;
  };
  expect(await statementsFor(20)).toBe(await statementsFor(2));
});
