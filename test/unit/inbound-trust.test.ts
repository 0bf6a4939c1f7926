import { parseAuthenticationResults, senderFailure } from '../../src/modules/intake/email/authentication-results';
import { automaticMarker } from '../../src/modules/intake/email/automatic-mail';
import { headerFields } from '../../src/modules/intake/email/email-text';
import { replyAddress, replyTags, replyToken, replyTokenKey, tagFits } from '../../src/modules/intake/email/reply-token';

describe('parseAuthenticationResults (RFC 8601)', () => {
  it('reads the authserv-id and each method=result, lowercased, skipping comments, reasons and properties', () => {
    expect(
      parseAuthenticationResults(
        ' MX.Example.COM 1;\r\n\tspf=pass (sender IP is 192.0.2.1) smtp.mailfrom=a.example;\r\n\tdkim=FAIL reason="bad sig; really" header.d=a.example; dmarc=fail (p=REJECT sp=NONE) header.from=a.example',
      ),
    ).toEqual({
      authservId: 'mx.example.com',
      results: [
        { method: 'spf', result: 'pass' },
        { method: 'dkim', result: 'fail' },
        { method: 'dmarc', result: 'fail' },
      ],
    });
  });

  it('takes comments anywhere (nested, with ; and = inside), a method version, and a quoted authserv-id', () => {
    expect(parseAuthenticationResults('(comment; x=y) "mx.example.com" (a (nested; dmarc=fail) one); dkim/1 (v) = (r) pass header.i=@a.example')).toEqual({
      authservId: 'mx.example.com',
      results: [{ method: 'dkim', result: 'pass' }],
    });
  });

  it('answers no results for "none", nothing for an empty header, and survives broken input', () => {
    expect(parseAuthenticationResults('mx.example.com; none')).toEqual({ authservId: 'mx.example.com', results: [] });
    expect(parseAuthenticationResults('   ')).toBeNull();
    expect(parseAuthenticationResults('(unclosed comment; dmarc=fail')).toBeNull();
    expect(parseAuthenticationResults('mx.example.com; dmarc=fail (unclosed')).toEqual({ authservId: 'mx.example.com', results: [{ method: 'dmarc', result: 'fail' }] });
    expect(parseAuthenticationResults('mx.example.com; reason="unclosed; dmarc=fail')).toEqual({ authservId: 'mx.example.com', results: [] });
    expect(parseAuthenticationResults('mx.example.com; =fail; dmarc; spf=')).toEqual({ authservId: 'mx.example.com', results: [] });
  });

  it('stays linear on hostile input', () => {
    const hostile = `mx.example.com${'; ('.repeat(50_000)}${'\\'.repeat(50_000)}`;
    expect(parseAuthenticationResults(hostile)?.results).toEqual([]);
  });
});

describe('senderFailure', () => {
  const ours = (results: string) => `mx.ours.example; ${results}`;

  it('fails dmarc=fail, and spf=fail or softfail without a dkim=pass; passes everything else', () => {
    expect(senderFailure([ours('dmarc=fail header.from=a.example')])).toBe('mx.ours.example says dmarc=fail');
    expect(senderFailure([ours('spf=fail; dkim=fail; dmarc=none')])).toBe('mx.ours.example says spf=fail and dkim=fail');
    expect(senderFailure([ours('spf=softfail; dkim=none')])).toBe('mx.ours.example says spf=softfail and dkim=none');
    expect(senderFailure([ours('spf=softfail')])).toBe('mx.ours.example says spf=softfail and dkim=none');
    expect(senderFailure([ours('spf=fail; dkim=neutral; dkim=pass')])).toBeNull();
    expect(senderFailure([ours('spf=pass; dkim=fail; dmarc=none')])).toBeNull();
    expect(senderFailure([ours('spf=temperror; dkim=fail')])).toBeNull();
    expect(senderFailure([ours('dmarc=permerror; spf=none')])).toBeNull();
    expect(senderFailure([ours('none')])).toBeNull();
    expect(senderFailure([])).toBeNull();
  });

  it('unset trusted id: believes the topmost header’s server, in every header it wrote, and a fail wins', () => {
    const split = ['mx.ours.example; dkim=fail', 'mx.ours.example; spf=softfail', 'mx.ours.example; dmarc=none'];
    expect(senderFailure(split)).toBe('mx.ours.example says spf=softfail and dkim=fail');
    // A lower header claiming our id cannot hide our fail.
    expect(senderFailure([ours('dmarc=fail'), ours('dmarc=pass')])).toBe('mx.ours.example says dmarc=fail');
    // Another server's header below ours is not read; one above ours is the one believed.
    expect(senderFailure([ours('dmarc=pass'), 'other.example; dmarc=fail'])).toBeNull();
    expect(senderFailure(['relay.example; dmarc=pass', ours('dmarc=fail')])).toBeNull();
  });

  it('a trusted id (compared without case) picks that server’s headers wherever they stand', () => {
    const headers = ['relay.example; dmarc=pass', ours('dmarc=fail')];
    expect(senderFailure(headers, 'MX.Ours.Example')).toBe('mx.ours.example says dmarc=fail');
    expect(senderFailure(['relay.example; dmarc=fail'], 'mx.ours.example')).toBeNull();
  });
});

describe('automaticMarker', () => {
  const fields = (...lines: string[]) => headerFields(lines.map((line) => ({ key: line.slice(0, line.indexOf(':')).toLowerCase(), line })));
  const person = 'kim@initech.example';

  it.each([
    ['Auto-Submitted: auto-replied', 'Auto-Submitted: auto-replied'],
    ['Auto-Submitted: Auto-Generated (by a robot)', 'Auto-Submitted: Auto-Generated (by a robot)'],
    ['Auto-Submitted:\r\n auto-notified; owner-email=x@y.example', 'Auto-Submitted: auto-notified; owner-email=x@y.example'],
    ['Precedence: BULK', 'Precedence: BULK'],
    ['Precedence: list', 'Precedence: list'],
    ['Precedence: junk', 'Precedence: junk'],
    ['Precedence: auto_reply', 'Precedence: auto_reply'],
    ['X-Autoreply: yes', 'X-Autoreply: yes'],
    ['X-Autorespond: on', 'X-Autorespond: on'],
    ['X-Auto-Response-Suppress: All', 'X-Auto-Response-Suppress: All'],
    ['Return-Path: <>', 'Return-Path: <>'],
    ['Return-Path: < >', 'Return-Path: <>'],
    ['Content-Type: Multipart/Report; report-type=delivery-status; boundary=x', 'Content-Type: Multipart/Report'],
  ])('%j is automatic', (line, marker) => {
    expect(automaticMarker(fields(line), person)).toBe(marker);
  });

  it('names mailer-daemon and postmaster senders, whatever their case', () => {
    expect(automaticMarker(fields(), 'MAILER-DAEMON@mx.example')).toBe('From: MAILER-DAEMON@mx.example');
    expect(automaticMarker(fields(), 'Postmaster@mx.example')).toBe('From: Postmaster@mx.example');
    expect(automaticMarker(fields(), 'postmaster.jane@mx.example')).toBeNull();
  });

  it.each([
    'Auto-Submitted: no',
    'Auto-Submitted: No (a person)',
    'Auto-Submitted: ',
    'Precedence: first-class',
    'X-Autoreply: ',
    'Return-Path: <kim@initech.example>',
    'Content-Type: multipart/mixed; boundary=x',
    'Subject: Auto-Submitted: auto-replied',
  ])('%j is mail a person wrote', (line) => {
    expect(automaticMarker(fields(line), person)).toBeNull();
  });

  it('reads the topmost Return-Path, the one the receiving server wrote', () => {
    expect(automaticMarker(fields('Return-Path: <kim@initech.example>', 'Return-Path: <>'), person)).toBeNull();
    expect(automaticMarker(fields('Return-Path: <>', 'Return-Path: <kim@initech.example>'), person)).toBe('Return-Path: <>');
  });
});

describe('reply tokens', () => {
  const key = replyTokenKey('inbound-secret-0123456');
  const ticket = { id: '0190f3a2-7c1e-7d4b-9a55-3f0e2b1c4d5e', number: 1033 };

  it('make a plus address with the ticket number and a 16-character base32 MAC, the same every time', () => {
    const address = replyAddress(key, 'support@help.example', ticket);
    expect(address).toMatch(/^support\+t1033-[a-z2-7]{16}@help\.example$/);
    expect(replyAddress(key, 'support@help.example', ticket)).toBe(address);
    expect(address).toBe(`support+${replyToken(key, ticket)}@help.example`);
    expect(() => replyAddress(key, 'no-at-sign', ticket)).toThrow();
  });

  it('depend on the secret and the ticket id', () => {
    const token = replyToken(key, ticket);
    expect(replyToken(replyTokenKey('inbound-secret-0123457'), ticket)).not.toBe(token);
    expect(replyToken(key, { ...ticket, id: '0190f3a2-7c1e-7d4b-9a55-3f0e2b1c4d5f' })).not.toBe(token);
  });

  it('are found in recipient headers (any case, several, duplicates once) and checked against the ticket', () => {
    const address = replyAddress(key, 'support@help.example', ticket);
    const tags = replyTags([`"Support" <${address.toUpperCase()}>, other@x.example`, address, 'support+t12-short@help.example']);
    expect(tags).toHaveLength(1);
    expect(tagFits(key, tags[0], ticket)).toBe(true);
    expect(tagFits(key, tags[0], { ...ticket, number: 1034 })).toBe(false);
    expect(tagFits(key, tags[0], { ...ticket, id: '0190f3a2-7c1e-7d4b-9a55-3f0e2b1c4d5f' })).toBe(false);
    expect(tagFits(replyTokenKey('inbound-secret-0123457'), tags[0], ticket)).toBe(false);
    const flipped = { ...tags[0], mac: `${tags[0].mac.slice(0, -1)}${tags[0].mac.endsWith('a') ? 'b' : 'a'}` };
    expect(tagFits(key, flipped, ticket)).toBe(false);
  });
});
