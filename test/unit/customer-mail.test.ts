import { composeCustomerMail, CustomerMailKind, type CustomerMailContent } from '../../src/modules/mail/customer-mail.compose';
import { escapeHtml } from '../../src/modules/mail/html';
import { mailLinkKey, readResolutionToken, resolutionToken } from '../../src/modules/mail/mail-links';
import { addressOf, refusedRecipient } from '../../src/modules/mail/recipient.policy';
import { hardBounces, returnedMessageId } from '../../src/modules/intake/email/delivery-status';
import { canChangeSubscription, canClearBounce, seesMailStatus } from '../../src/modules/mail/mail-status.policy';
import { ACTORS, rows } from './actors';

const ticket = { number: 1042, title: 'Printer <jams> & "stops"', reference: 'TG-1042-K7QF' };
const footer = { repliesReachTicket: true, unsubscribeUrl: 'https://help.example/mail/unsubscribe/tok', optional: true };

describe('composeCustomerMail', () => {
  it('puts [#number] in every subject, and the title on one line', () => {
    const contents: CustomerMailContent[] = [
      { kind: CustomerMailKind.RECEIPT, ticket },
      { kind: CustomerMailKind.COMMENT, ticket: { ...ticket, title: 'Two\r\nlines' }, author: 'Ann', body: 'Hi' },
      { kind: CustomerMailKind.WAITING_ON_YOU, ticket, reason: 'Which model?' },
      { kind: CustomerMailKind.RESOLVED, ticket, notes: null, resolutionUrl: null, rateUrl: null },
      { kind: CustomerMailKind.CLOSED, ticket, automatic: true, rateUrl: null },
    ];
    const subjects = contents.map((content) => composeCustomerMail(content, footer).subject);
    for (const subject of subjects) expect(subject).toContain('[#1042]');
    expect(subjects[1]).toBe('Re: [#1042] Two lines');
  });

  it('escapes every given string in the HTML, and keeps the plain text as written', () => {
    const mail = composeCustomerMail({ kind: CustomerMailKind.COMMENT, ticket, author: '<i>Ann</i>', body: '<script>x()</script>\nline 2' }, footer);
    expect(mail.html).not.toMatch(/<script|<i>|<jams>/);
    expect(mail.html).toContain('&lt;script&gt;x()&lt;/script&gt;<br>line 2');
    expect(mail.html).toContain('Printer &lt;jams&gt; &amp; &quot;stops&quot;');
    expect(mail.text).toContain('    <script>x()</script>\n    line 2');
  });

  it('escapes links too, and leaves out the links it is not given', () => {
    const mail = composeCustomerMail(
      { kind: CustomerMailKind.RESOLVED, ticket, notes: 'Done.', resolutionUrl: 'https://h.example/r?a=1&b="2"', rateUrl: null },
      { ...footer, repliesReachTicket: false },
    );
    expect(mail.html).toContain('href="https://h.example/r?a=1&amp;b=&quot;2&quot;"');
    expect(mail.text).not.toContain('/rate/');
    expect(mail.text).not.toContain('reply to this email');
    const withoutLink = composeCustomerMail({ kind: CustomerMailKind.RESOLVED, ticket, notes: null, resolutionUrl: null, rateUrl: 'https://h.example/rate' }, footer);
    expect(withoutLink.text).toContain('reply to this email and the ticket is reopened');
    expect(withoutLink.text).not.toContain('How it was resolved');
  });

  it('says in the footer whether the mail can be turned off', () => {
    expect(composeCustomerMail({ kind: CustomerMailKind.RECEIPT, ticket }, { ...footer, optional: false }).text).toContain('this kind of mail is always sent');
    expect(composeCustomerMail({ kind: CustomerMailKind.RECEIPT, ticket }, footer).text).toContain('Stop updates like this one');
  });

  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('refusedRecipient', () => {
  const ours = 'Help Desk <Help@Ticketgraph.example>';

  it('refuses our own address, its +tag variants, and automatic mailboxes', () => {
    expect(addressOf(ours)).toBe('help@ticketgraph.example');
    for (const address of ['help@ticketgraph.example', 'HELP+t12-abc@ticketgraph.example', 'mailer-daemon@x.example', 'Postmaster@x.example', 'no-reply@x.example', 'noreply@x.example', 'noreply-billing@x.example', 'do-not-reply@x.example', 'bounce+123@x.example']) {
      expect(refusedRecipient(address, ours)).not.toBeNull();
    }
  });

  it('lets people through, including look-alikes', () => {
    for (const address of ['ann@x.example', 'help@other.example', 'helpdesk@ticketgraph.example', 'noreplyson@x.example', 'replies@x.example']) {
      expect(refusedRecipient(address, ours)).toBeNull();
    }
  });
});

describe('resolution tokens', () => {
  const key = mailLinkKey('x'.repeat(40));
  const resolved = { id: '01939a3c-1111-7aaa-8bbb-123456789abc', resolvedAt: new Date('2026-12-06T10:00:00.123Z') };

  it('name the ticket and the resolution, and nothing else reads as one', () => {
    const token = resolutionToken(key, resolved);
    expect(readResolutionToken(key, token)).toEqual({ ticketId: resolved.id, resolvedAtMs: resolved.resolvedAt.getTime() });
    expect(readResolutionToken(mailLinkKey('y'.repeat(40)), token)).toBeNull();
    expect(readResolutionToken(key, token.replace(/\.(\d+)\./, (_, at: string) => `.${Number(at) + 1}.`))).toBeNull();
    expect(readResolutionToken(key, token.replace('0193', '0194'))).toBeNull();
    expect(readResolutionToken(key, 'garbage')).toBeNull();
  });
});

describe('delivery status reports', () => {
  const report = [
    'Reporting-MTA: dns; mx.example',
    '',
    'Final-Recipient: rfc822; Gone@Customer.example',
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 User',
    '  unknown',
    '',
    'Final-Recipient: rfc822; later@customer.example',
    'Action: delayed',
    'Status: 4.4.1',
    '',
    'Final-Recipient: rfc822; <full@customer.example>',
    'Action: failed',
    'Status: 5.2.2',
  ].join('\r\n');

  it('lists the recipients that failed for good (5.x.x), not the delayed ones', () => {
    expect(hardBounces(report)).toEqual([
      { recipient: 'gone@customer.example', reason: '5.1.1 smtp; 550 5.1.1 User unknown' },
      { recipient: 'full@customer.example', reason: '5.2.2' },
    ]);
    expect(hardBounces('Just a message.\n\nNothing here.')).toEqual([]);
  });

  it('finds the returned Message-ID', () => {
    expect(returnedMessageId('From: a@b\r\nMessage-ID: <abc@ticketgraph.example>\r\nSubject: x')).toBe('<abc@ticketgraph.example>');
    expect(returnedMessageId('From: a@b')).toBeNull();
  });
});

describe('mail status policy', () => {
  const own = { id: 'contact-1' };
  const colleague = { id: 'contact-2' };
  const table = rows({
    anonymous: [false, false, false],
    customer: [true, true, false],
    agent: [true, true, true],
    admin: [true, true, true],
    'key without scopes': [false, false, false],
    'key TICKETS_READ': [true, false, false],
    'key TICKETS_WRITE': [false, true, true],
    'key COMMENTS_INTERNAL': [false, false, false],
    'key REPORTS_READ': [false, false, false],
    'key MONITORING': [false, false, false],
    'key TICKETS_READ+TICKETS_WRITE': [true, true, true],
    'key TICKETS_READ+COMMENTS_INTERNAL': [true, false, false],
    'key every scope': [true, true, true],
  });

  it.each(table)('%s: sees its own / changes its own subscription / clears a bounce: %j', (name, [sees, changes, clears]) => {
    const actor = ACTORS[name];
    expect([seesMailStatus(actor, own), canChangeSubscription(actor, own), canClearBounce(actor)]).toEqual([sees, changes, clears]);
  });

  it("lets a customer see and change only its own, never a colleague's", () => {
    expect(seesMailStatus(ACTORS.customer, colleague)).toBe(false);
    expect(canChangeSubscription(ACTORS.customer, colleague)).toBe(false);
  });
});
