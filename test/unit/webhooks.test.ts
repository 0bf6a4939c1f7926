import { Webhook } from 'standardwebhooks';
import { Business } from '../../src/modules/businesses/business.entity';
import { Comment } from '../../src/modules/comments/comment.entity';
import { TicketEvent, TicketEventType } from '../../src/modules/tickets/ticket-event.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketChannel, TicketPriority, TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { isNonPublicAddress } from '../../src/modules/webhooks/webhook-address';
import { postJson } from '../../src/modules/webhooks/webhook-http';
import { webhookEventTypeOf, WebhookEventType } from '../../src/modules/webhooks/webhook-event-type';
import { endpointViewer, entryMessageData, type EntryFacts } from '../../src/modules/webhooks/webhook-message';
import { WEBHOOK_RETRY_DELAYS, webhookRetryDelaySeconds } from '../../src/modules/webhooks/webhook-retry';
import { generateWebhookSecret, signedHeaders } from '../../src/modules/webhooks/webhook-signing';
import { checkWebhookUrl } from '../../src/modules/webhooks/webhook-url';

describe('isNonPublicAddress', () => {
  it.each([
    ['127.0.0.1'],
    ['127.255.255.254'],
    ['10.0.0.1'],
    ['172.31.255.255'],
    ['192.168.0.1'],
    ['169.254.169.254'],
    ['100.64.0.1'],
    ['0.0.0.0'],
    ['224.0.0.251'],
    ['255.255.255.255'],
    ['::'],
    ['::1'],
    ['fe80::1'],
    ['fc00::1'],
    ['fd00:ec2::254'],
    ['ff02::1'],
    ['::ffff:127.0.0.1'],
    ['::ffff:a00:1'],
    ['::ffff:192.168.1.1'],
    ['not an address'],
  ])('refuses %s', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each([['8.8.8.8'], ['1.1.1.1'], ['172.32.0.1'], ['192.169.0.1'], ['2606:4700:4700::1111'], ['::ffff:8.8.8.8']])('allows %s', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });
});

describe('checkWebhookUrl', () => {
  const refusal = (url: string, allowPrivate = false) =>
    checkWebhookUrl(url, allowPrivate).then(
      () => null,
      (error: { extensions: Record<string, unknown> }) => error.extensions,
    );

  it('refuses non-public hosts, other schemes and credentials with BAD_USER_INPUT on url', async () => {
    for (const url of ['http://localhost:3000/x', 'https://127.0.0.1/x', 'http://[::ffff:10.0.0.1]/x', 'ftp://example.com/x', 'https://a:b@example.com/x', 'nope']) {
      expect([url, await refusal(url)]).toEqual([url, { code: 'BAD_USER_INPUT', field: 'url' }]);
    }
  });

  it('allows private hosts when told to, and gives the URL back normalized', async () => {
    expect(await checkWebhookUrl('  http://LOCALHOST:3000/hook  ', true)).toBe('http://localhost:3000/hook');
    expect(await refusal('ftp://localhost/x', true)).toEqual({ code: 'BAD_USER_INPUT', field: 'url' });
  });
});

describe('postJson', () => {
  const strict = { timeoutMs: 2000, allowPrivate: false };

  it('refuses to connect to a name that resolves to a non-public address, at connection time', async () => {
    await expect(postJson('http://localhost:9/hook', '{}', {}, strict)).rejects.toMatchObject({
      code: 'ENONPUBLIC',
      message: expect.stringContaining('which is not a public address'),
    });
  });

  it('refuses an IP literal that is not public without connecting', async () => {
    await expect(postJson('http://[::ffff:127.0.0.1]:9/hook', '{}', {}, strict)).rejects.toMatchObject({ name: 'NonPublicAddressError' });
  });
});

describe('webhookRetryDelaySeconds', () => {
  it('follows 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h, over about three days, then gives up', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5, 6, 7].map((attempts) => webhookRetryDelaySeconds(attempts, middle))).toEqual([5, 300, 1800, 7200, 18_000, 36_000, 36_000]);
    const total = WEBHOOK_RETRY_DELAYS.reduce((sum, delay) => sum + delay, 0);
    expect(total / 86_400).toBeGreaterThan(2.5);
    expect(total / 86_400).toBeLessThan(3.5);
    expect(webhookRetryDelaySeconds(WEBHOOK_RETRY_DELAYS.length, middle)).toBe(36_000);
    expect(webhookRetryDelaySeconds(WEBHOOK_RETRY_DELAYS.length + 1, middle)).toBeNull();
  });

  it('spreads each delay by at most 10% either way', () => {
    expect(webhookRetryDelaySeconds(2, () => 0)).toBe(270);
    expect(webhookRetryDelaySeconds(2, () => 0.999999)).toBe(330);
    expect(webhookRetryDelaySeconds(6, () => 0)).toBe(32_400);
  });
});

describe('signedHeaders', () => {
  it('signs as Standard Webhooks verifies, one signature per secret', () => {
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];
    expect(a).toMatch(/^whsec_/);
    const body = JSON.stringify({ type: 'PING', timestamp: new Date().toISOString(), data: {} });
    const headers = signedHeaders([a, b], 'msg_1', new Date(), body);
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(a).verify(body, headers)).toMatchObject({ type: 'PING' });
    expect(new Webhook(b).verify(body, headers)).toMatchObject({ type: 'PING' });
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow('No matching signature found');
    expect(() => new Webhook(a).verify(`${body} `, headers)).toThrow('No matching signature found');
  });
});

describe('webhookEventTypeOf', () => {
  it('gives every kind of timeline entry an event type, and none to an unknown kind', () => {
    const types = Object.values(TicketEventType).map(webhookEventTypeOf);
    expect(types.every((type) => type !== undefined)).toBe(true);
    expect(new Set(types).size).toBe(Object.values(WebhookEventType).length);
    expect(webhookEventTypeOf('SOMETHING_NEW')).toBeUndefined();
  });
});

describe('entryMessageData', () => {
  function facts(fields: { isInternal?: boolean; reason?: string; reasonInternal?: boolean; commentBody?: string } = {}): EntryFacts {
    const business = Object.assign(new Business(), { name: 'Acme' });
    const ticket = Object.assign(new Ticket(), {
      number: 7,
      title: 'Broken',
      description: 'It broke.',
      status: TicketStatus.RESOLVED,
      priority: TicketPriority.HIGH,
      channel: TicketChannel.EMAIL,
      business,
      resolutionNotes: 'refunded quietly',
      resolutionNotesInternal: true,
    });
    const comment = fields.commentBody ? Object.assign(new Comment(), { ticket, body: fields.commentBody, isInternal: fields.isInternal ?? false, authorName: 'Alice' }) : null;
    const entry = Object.assign(new TicketEvent(), {
      ticket,
      type: comment ? TicketEventType.COMMENTED : TicketEventType.STATUS_CHANGED,
      isInternal: fields.isInternal ?? false,
      reason: fields.reason ?? null,
      reasonInternal: fields.reasonInternal ?? false,
    });
    return { entry, ticket, comment, business, contact: null, tags: [], users: new Map() };
  }
  const outside = endpointViewer({ id: 'e1', includeInternal: false });
  const inside = endpointViewer({ id: 'e2', includeInternal: true });

  it('reads as an API key with TICKETS_READ, and COMMENTS_INTERNAL only with includeInternal', () => {
    expect(outside).toMatchObject({ kind: 'apiKey', scopes: [ApiScope.TICKETS_READ] });
    expect(inside).toMatchObject({ kind: 'apiKey', scopes: [ApiScope.TICKETS_READ, ApiScope.COMMENTS_INTERNAL] });
  });

  it('composes nothing for an internal comment or entry without includeInternal', () => {
    expect(entryMessageData(outside, facts({ isInternal: true, commentBody: 'secret note' }))).toBeNull();
    expect(entryMessageData(outside, facts({ isInternal: true }))).toBeNull();
    expect(entryMessageData(inside, facts({ isInternal: true, commentBody: 'secret note' }))).toMatchObject({ entry: { comment: { body: 'secret note' } } });
  });

  it('leaves out internal reasons and resolution notes without includeInternal', () => {
    const moved = facts({ reason: 'legal hold', reasonInternal: true });
    expect(JSON.stringify(entryMessageData(outside, moved))).not.toMatch(/legal hold|refunded quietly/);
    expect(entryMessageData(outside, moved)).toMatchObject({ ticket: { resolutionNotes: null, business: { name: 'Acme' } }, entry: { reason: null } });
    expect(entryMessageData(inside, moved)).toMatchObject({ ticket: { resolutionNotes: 'refunded quietly' }, entry: { reason: 'legal hold' } });
  });
});
