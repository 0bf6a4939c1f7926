import {
  attachmentName,
  bodyText,
  cleanText,
  htmlToText,
  normalizeMessageId,
  referencedMessageIds,
  stripQuoted,
  ticketNumberToken,
  titleFromSubject,
} from '../../src/modules/intake/email/email-text';

describe('titleFromSubject', () => {
  it('keeps the subject on one line, cut to 200 characters, with a stand-in when empty', () => {
    expect(titleFromSubject('  Printer\n\t jams  ')).toBe('Printer jams');
    expect(titleFromSubject('x'.repeat(250))).toHaveLength(200);
    expect(titleFromSubject('   ')).toBe('(no subject)');
    expect(titleFromSubject(undefined)).toBe('(no subject)');
  });

  it('never splits a surrogate pair when cutting', () => {
    const title = titleFromSubject(`${'x'.repeat(199)}😀 and more`);
    expect(title).toBe('x'.repeat(199));
  });
});

describe('bodyText and cleanText', () => {
  it('normalizes line endings, drops NUL, trailing spaces and long runs of blank lines', () => {
    expect(cleanText('a \r\nb\u0000c\r\n\r\n\r\n\r\n\r\nd\n')).toBe('a\nbc\n\n\nd');
  });

  it('cuts to 20,000 characters and stands in for an empty body', () => {
    expect(bodyText('y'.repeat(20_001))).toHaveLength(20_000);
    expect(bodyText('')).toBe('(no text)');
  });
});

describe('stripQuoted (email-reply-parser)', () => {
  it('drops quoted lines and the trailing attribution line', () => {
    const reply = 'Works now, thanks.\n\nOn Mon, 23 Nov 2026 at 09:14, Ann <ann@example.com> wrote:\n> Try again?\n>\n> Ann';
    expect(stripQuoted(reply)).toBe('Works now, thanks.');
  });

  it('drops an attribution wrapped over two lines', () => {
    expect(stripQuoted('Log attached.\n\nOn Mon, 23 Nov 2026 at 09:14, Ann <\nann@example.com> wrote:\n> Hi')).toBe('Log attached.');
  });

  it('drops a signature and the quoted history below it', () => {
    const reply = 'Thanks, that did it.\n\n-- \nAnn Smith\nAcme\n\nOn Mon, 23 Nov 2026 at 09:14, Help <help@x.example> wrote:\n> Try again?';
    expect(stripQuoted(reply)).toBe('Thanks, that did it.');
  });

  it('keeps the answers written between quotes, and the whole text when all of it is quoted', () => {
    expect(stripQuoted('> Which model?\nThe X200.\n> Which floor?\nThird.')).toBe('The X200.\nThird.');
    expect(stripQuoted('> only a quote')).toBe('> only a quote');
  });
});

describe('threading helpers', () => {
  it('finds the first [#number] token', () => {
    expect(ticketNumberToken('Re: [#1042] Printer [#7]')).toBe(1042);
    expect(ticketNumberToken('Re: #1042 Printer')).toBeNull();
  });

  it('lists In-Reply-To first, then References newest first, without repeats', () => {
    expect(referencedMessageIds('<b@x>', ['<a@x>', '<b@x>', '<c@x>'])).toEqual(['<b@x>', '<c@x>', '<a@x>']);
    expect(referencedMessageIds(undefined, '<a@x> <b@x>')).toEqual(['<b@x>', '<a@x>']);
    expect(referencedMessageIds(undefined, undefined)).toEqual([]);
    expect(normalizeMessageId(' a@x ')).toBe('<a@x>');
  });
});

describe('attachmentName', () => {
  it('keeps the name sent, else numbers the attachment with an extension from its type', () => {
    expect(attachmentName('invoice.pdf', 'application/pdf', 1)).toBe('invoice.pdf');
    expect(attachmentName(undefined, 'image/png', 2)).toBe('attachment-2.png');
    expect(attachmentName('  ', 'application/x-unknown', 3)).toBe('attachment-3.bin');
  });
});

describe('htmlToText', () => {
  it('keeps the text and its paragraphs, drops tags, styles and scripts, decodes entities', () => {
    const html =
      '<!DOCTYPE html><html><head><title>t</title><style>p{color:red}</style></head><body>' +
      '<p>Hello <b>there</b>,</p><!-- note --><ul><li>one &amp; two</li><li>three</li></ul>' +
      '<div>a&nbsp;b<br>c &lt;d&gt; &#8211; &#x2013; &eacute; &bogus;</div><script>alert(1)</script>' +
      '<table><tr><td>x</td><td>y</td></tr></table></body></html>';
    expect(htmlToText(html)).toBe('Hello there,\n\n* one & two\n* three\n\na b\nc <d> – – é &bogus;\n\nx y');
  });

  it('keeps a lone "<" and survives unclosed tags and scripts', () => {
    expect(htmlToText('1 < 2 <b>bold')).toBe('1 < 2 bold');
    expect(htmlToText('before<script>never closed')).toBe('before');
    expect(htmlToText('before<div class="x"')).toBe('before');
  });

  it('stays fast on hostile input', () => {
    const started = Date.now();
    htmlToText('<a '.repeat(200_000));
    htmlToText('<style>'.repeat(100_000));
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
