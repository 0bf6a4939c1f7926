import { v7 as uuidv7 } from 'uuid';
import {
  AddCommentDocument,
  ConfirmResolutionDocument,
  OnCommentAddedDocument,
  OnSatisfactionTimelineDocument,
  RateTicketDocument,
  ReopenTicketDocument,
  ResolveTicketDocument,
  SatisfactionTicketDocument,
  SatisfactionTicketListDocument,
  type RateTicketInput,
} from '../__generated__/graphql';
import { SatisfactionRating } from '../../src/modules/satisfaction/satisfaction-rating.entity';
import { TicketEvent, TicketEventType } from '../../src/modules/tickets/ticket-event.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { ApiScope as Scope } from '../../src/modules/users/auth/api-scope.enum';
import { Role as StaffRole } from '../../src/modules/users/user.enums';
import { toGlobalId } from '../../src/shared/global-id';
import * as make from '../factories';
import { startTestApp, type GraphQLResponse, type TestApp } from '../setup/test-app';
import { writesNothing as checkWritesNothing } from '../setup/writes-nothing';
import { subscribe, untilLive, wsClient } from '../setup/ws-client';

/**
 * Customer satisfaction ratings, over real HTTP: who may rate (the ticket's contact, or whoever holds
 * its one-time token), when (RESOLVED or CLOSED, once per ticket), who sees the rating and the token,
 * and that every refusal writes nothing (a digest of every row of the tables involved).
 */

let app: TestApp;
let agent: make.Staff;
let admin: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let globex: Awaited<ReturnType<typeof make.business>>;
let carol: make.Customer; // acme: the contact of the tickets under test
let dave: make.Customer; // acme as well, but not the tickets' contact
let gus: make.Customer; // globex

const KEY_SCOPES = {
  'key TICKETS_READ': [Scope.TICKETS_READ],
  'key TICKETS_READ+TICKETS_WRITE': [Scope.TICKETS_READ, Scope.TICKETS_WRITE],
  'key TICKETS_WRITE': [Scope.TICKETS_WRITE],
  'key every scope': Object.values(Scope),
} satisfies Record<string, Scope[]>;
type KeyName = keyof typeof KEY_SCOPES;
const keys = {} as Record<KeyName, string>;

beforeAll(async () => {
  app = await startTestApp();
  agent = await make.staffUser(app);
  admin = await make.staffUser(app, StaffRole.ADMIN);
  acme = await make.business(app);
  globex = await make.business(app);
  carol = await make.customer(app, acme);
  dave = await make.customer(app, acme);
  gus = await make.customer(app, globex);
  for (const [name, scopes] of Object.entries(KEY_SCOPES) as [KeyName, Scope[]][]) keys[name] = await make.apiKey(app, admin.user, scopes);
});
afterAll(() => app?.stop());

// ---------------------------------------------------------------------------------------------------
// Helpers

const TABLES = ['ticket', 'ticket_event', 'comment', 'satisfaction_rating'];

/** Runs `work` and checks that no row of TABLES changed in any way. */
const writesNothing = <T>(work: () => Promise<T>) => checkWritesNothing(app, TABLES, work);

function codes(res: GraphQLResponse<unknown>): unknown[] | undefined {
  return res.errors?.map((e) => e.extensions?.code);
}

/** Exactly one error with this code (and field, when given), and no data. */
function expectRefused(res: GraphQLResponse<unknown>, code: string, field?: string) {
  expect({ codes: codes(res), data: res.data }).toEqual({ codes: [code], data: null });
  if (field !== undefined) expect(res.errors![0].extensions?.field).toBe(field);
  return res.errors![0];
}

function expectOk<T>(res: GraphQLResponse<T>): T {
  expect(res.errors).toBeUndefined();
  return res.data!;
}

const rate = (input: RateTicketInput, token?: string) => app.gql(RateTicketDocument, { input }, token);
const view = (id: string, token?: string) => app.gql(SatisfactionTicketDocument, { id }, token);

/** A ticket of acme, carol its contact, written straight to the database. */
async function carolsTicket(status: TicketStatus) {
  const t = await make.ticket(app, { business: acme, status });
  await app.em().nativeUpdate(Ticket, { id: t.id }, { contact: carol.contact.id });
  return t;
}

/** Carol's ticket, resolved through the API (which issues the rating token); answers the ticket and the token. */
async function resolvedTicket() {
  const t = await carolsTicket(TicketStatus.IN_PROGRESS);
  const resolved = await app.gql(ResolveTicketDocument, { input: { ticketId: t.globalId, resolutionNotes: 'Replaced the toner' } }, agent.token);
  expect(expectOk(resolved).resolveTicket.ticket.status).toBe('RESOLVED');
  const token = expectOk(await view(t.globalId, agent.token)).ticket!.satisfactionToken;
  expect(token).toEqual(expect.any(String));
  return { ticket: t, token: token! };
}

/** What the database holds for a ticket's rating. */
async function stored(ticketId: string) {
  const em = app.em();
  const ratings = await em.find(SatisfactionRating, { ticket: ticketId });
  const events = await em.find(TicketEvent, { ticket: ticketId, type: TicketEventType.SATISFACTION_RATED });
  const ticket = await em.findOneOrFail(Ticket, { id: ticketId });
  return {
    ratings: ratings.map((r) => ({ score: r.score, comment: r.comment, contact: r.contact?.id ?? null })),
    events: events.map((e) => ({ details: e.details, actor: e.actor?.id ?? null, actorContact: e.actorContact?.id ?? null, isInternal: e.isInternal })),
    token: ticket.satisfactionToken,
    status: ticket.status,
  };
}

/** An id of the right shape and type that names no row. */
const nothing = (type: string) => toGlobalId(type, uuidv7());

/** A raw POST, for what the typed documents cannot express (wrong variable types, inline literals). */
async function post(query: string, variables: Record<string, unknown> | undefined, token?: string) {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<Record<string, unknown>> };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------------
// 1. The contact rates a resolved ticket, once

describe('the ticket’s contact rates a resolved ticket', () => {
  it('once: the rating is returned, stored, shown to staff and to the customer, and on the timeline', async () => {
    const { ticket: t } = await resolvedTicket();
    expect(expectOk(await view(t.globalId, carol.token)).ticket!.satisfaction).toBeNull();
    const before = Date.now();

    const res = await rate({ ticketId: t.globalId, score: 4, comment: '  Quick and friendly  ' }, carol.token);
    const rating = expectOk(res).rateTicket;
    expect(rating).toEqual({ score: 4, comment: 'Quick and friendly', ratedAt: expect.any(String) });
    expect(new Date(rating.ratedAt).getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(new Date(rating.ratedAt).getTime()).toBeLessThanOrEqual(Date.now() + 1_000);

    expect(await stored(t.id)).toEqual({
      ratings: [{ score: 4, comment: 'Quick and friendly', contact: carol.contact.id }],
      events: [{ details: { score: 4 }, actor: null, actorContact: carol.contact.id, isInternal: false }],
      // The contact's rating uses the token up as well.
      token: null,
      status: TicketStatus.RESOLVED,
    });

    for (const who of [agent.token, admin.token, carol.token, keys['key TICKETS_READ']]) {
      const ticket = expectOk(await view(t.globalId, who)).ticket!;
      expect(ticket.satisfaction).toEqual(rating);
      const rated = ticket.history.nodes.filter((e) => e.type === 'SATISFACTION_RATED');
      expect(rated).toEqual([{ id: expect.any(String), type: 'SATISFACTION_RATED', isInternal: false, details: { score: 4 }, actor: null }]);
      expect(ticket.history.nodes.at(-1)!.type).toBe('SATISFACTION_RATED');
    }
  });

  it('a second rating answers CONFLICT and changes nothing', async () => {
    const t = await carolsTicket(TicketStatus.RESOLVED);
    const first = expectOk(await rate({ ticketId: t.globalId, score: 2, comment: 'Slow' }, carol.token)).rateTicket;
    const again = await writesNothing(() => rate({ ticketId: t.globalId, score: 5, comment: 'Actually great' }, carol.token));
    expectRefused(again, 'CONFLICT');
    expect(expectOk(await view(t.globalId, agent.token)).ticket!.satisfaction).toEqual(first);
    expect((await stored(t.id)).ratings).toEqual([{ score: 2, comment: 'Slow', contact: carol.contact.id }]);
    expect((await stored(t.id)).events).toHaveLength(1);
  });

  it('the comment is optional: missing or blank is null; 20,000 characters are accepted', async () => {
    const none = await carolsTicket(TicketStatus.RESOLVED);
    expect(expectOk(await rate({ ticketId: none.globalId, score: 5 }, carol.token)).rateTicket).toMatchObject({ score: 5, comment: null });
    const blank = await carolsTicket(TicketStatus.RESOLVED);
    expect(expectOk(await rate({ ticketId: blank.globalId, score: 1, comment: '   ' }, carol.token)).rateTicket).toMatchObject({ score: 1, comment: null });
    const longest = await carolsTicket(TicketStatus.RESOLVED);
    const comment = 'y'.repeat(20_000);
    expect(expectOk(await rate({ ticketId: longest.globalId, score: 3, comment }, carol.token)).rateTicket.comment).toBe(comment);
    expect((await stored(longest.id)).ratings).toEqual([{ score: 3, comment, contact: carol.contact.id }]);
  });

  it('Ticket.satisfaction in a list: each ticket gets its own rating (batched), null when unrated', async () => {
    const shop = await make.business(app);
    const owner = await make.customer(app, shop);
    const tickets = [];
    for (let i = 0; i < 3; i += 1) {
      const t = await make.ticket(app, { business: shop, status: TicketStatus.RESOLVED });
      await app.em().nativeUpdate(Ticket, { id: t.id }, { contact: owner.contact.id });
      tickets.push(t);
    }
    expectOk(await rate({ ticketId: tickets[0].globalId, score: 1, comment: 'first' }, owner.token));
    expectOk(await rate({ ticketId: tickets[2].globalId, score: 5, comment: 'third' }, owner.token));
    for (const who of [agent.token, owner.token]) {
      const nodes = expectOk(await app.gql(SatisfactionTicketListDocument, { filter: { businessId: shop.globalId } }, who)).tickets.nodes;
      const byId = Object.fromEntries(nodes.map((n) => [n.id, n.satisfaction]));
      expect(byId).toEqual({
        [tickets[0].globalId]: { score: 1, comment: 'first' },
        [tickets[1].globalId]: null,
        [tickets[2].globalId]: { score: 5, comment: 'third' },
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// 2. Which statuses can be rated

describe('status', () => {
  it('a CLOSED ticket can be rated', async () => {
    const { ticket: t } = await resolvedTicket();
    expect(expectOk(await app.gql(ConfirmResolutionDocument, { input: { ticketId: t.globalId } }, carol.token)).confirmResolution.ticket.status).toBe('CLOSED');
    expect(expectOk(await rate({ ticketId: t.globalId, score: 5 }, carol.token)).rateTicket.score).toBe(5);
    expect(await stored(t.id)).toMatchObject({ status: TicketStatus.CLOSED, ratings: [{ score: 5 }], events: [{ details: { score: 5 } }] });
  });

  it.each([TicketStatus.UNASSIGNED, TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_ON_CUSTOMER, TicketStatus.WAITING_ON_THIRD_PARTY])(
    'a %s ticket answers CONFLICT and nothing is written',
    async (status) => {
      const t = await carolsTicket(status);
      const res = await writesNothing(() => rate({ ticketId: t.globalId, score: 4, comment: 'Too early' }, carol.token));
      expect(expectRefused(res, 'CONFLICT').extensions).toMatchObject({ status });
      expect(await stored(t.id)).toMatchObject({ ratings: [], events: [] });
    },
  );
});

// ---------------------------------------------------------------------------------------------------
// 3. The one-time token

describe('the rating token', () => {
  it('is set on resolving; staff read it, customers and API keys read null', async () => {
    const { ticket: t, token } = await resolvedTicket();
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect((await stored(t.id)).token).toBe(token);
    expect(expectOk(await view(t.globalId, admin.token)).ticket!.satisfactionToken).toBe(token);
    for (const who of [carol.token, keys['key TICKETS_READ'], keys['key every scope']]) {
      expect(expectOk(await view(t.globalId, who)).ticket!.satisfactionToken).toBeNull();
    }
    // Not only on the single-ticket path.
    const listed = expectOk(await app.gql(SatisfactionTicketListDocument, { filter: { businessId: acme.globalId } }, carol.token)).tickets.nodes;
    expect(listed.find((n) => n.id === t.globalId)).toMatchObject({ satisfactionToken: null });
    expect(listed.every((n) => n.satisfactionToken === null)).toBe(true);
  });

  it('lets an anonymous caller rate once; the token is then gone and cannot be used again', async () => {
    const { ticket: t, token } = await resolvedTicket();
    const rating = expectOk(await rate({ ticketId: t.globalId, score: 3, comment: 'OK', token })).rateTicket;
    expect(rating).toMatchObject({ score: 3, comment: 'OK' });
    expect(await stored(t.id)).toEqual({
      ratings: [{ score: 3, comment: 'OK', contact: null }],
      events: [{ details: { score: 3 }, actor: null, actorContact: null, isInternal: false }],
      token: null,
      status: TicketStatus.RESOLVED,
    });
    const ticket = expectOk(await view(t.globalId, agent.token)).ticket!;
    expect(ticket.satisfactionToken).toBeNull();
    expect(ticket.satisfaction).toEqual(rating);

    // Reused: the token no longer names the ticket, so to an anonymous caller it is not there.
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 5, token })), 'NOT_FOUND');
    // And the contact finds it rated.
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 5 }, carol.token)), 'CONFLICT');
  });

  it('a wrong token answers NOT_FOUND to an anonymous caller and leaves the right one usable', async () => {
    const { ticket: t, token } = await resolvedTicket();
    const { token: otherToken } = await resolvedTicket();
    const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    for (const wrong of [flipped, otherToken, 'short', token.slice(0, -1)]) {
      expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 1, token: wrong })), 'NOT_FOUND');
    }
    // Too long to be a token at all.
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 1, token: 'x'.repeat(65) })), 'BAD_USER_INPUT', 'token');
    expect(expectOk(await rate({ ticketId: t.globalId, score: 4, token })).rateTicket.score).toBe(4);
  });

  it('an anonymous caller without a token gets NOT_FOUND (as for every ticket it cannot see) and writes nothing', async () => {
    // The service answers NOT_FOUND, not UNAUTHENTICATED: without the token the ticket is outside
    // an anonymous caller's scope (satisfaction.service.ts line 44), as in ticket.service lockVisible.
    const { ticket: t } = await resolvedTicket();
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 5 })), 'NOT_FOUND');
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 5, token: null })), 'NOT_FOUND');
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 5, token: '' })), 'NOT_FOUND');
  });

  it('the ticket’s contact with a wrong token still rates as the contact', async () => {
    const { ticket: t } = await resolvedTicket();
    expect(expectOk(await rate({ ticketId: t.globalId, score: 2, token: 'not-the-token' }, carol.token)).rateTicket.score).toBe(2);
    expect((await stored(t.id)).ratings).toEqual([{ score: 2, comment: null, contact: carol.contact.id }]);
  });

  // BUG: src/modules/satisfaction/satisfaction.policy.ts line 8 (`if (tokenMatches) return true;`) lets ANY
  // actor holding the token rate, staff included — and staff can read the token (Ticket.satisfactionToken),
  // so an agent can rate its own ticket, contrary to the policy's own doc ("Never staff or integrations")
  // and the rateTicket description ("staff and API keys cannot rate"). The token should only stand in for
  // a login (anonymous callers, perhaps contacts), never for staff or API keys.
  it.each(['agent', 'admin', 'key every scope'] as const)('%s holding the token still cannot rate (FORBIDDEN)', async (who) => {
    const { ticket: t, token } = await resolvedTicket();
    const bearer = who === 'agent' ? agent.token : who === 'admin' ? admin.token : keys[who];
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 5, comment: 'Great support!', token }, bearer)), 'FORBIDDEN');
  });
});

// ---------------------------------------------------------------------------------------------------
// 4. Who may not rate, and bad input

describe('access', () => {
  const staffAndKeys = ['agent', 'admin', 'key TICKETS_READ', 'key TICKETS_READ+TICKETS_WRITE', 'key every scope'] as const;
  const bearer = (who: (typeof staffAndKeys)[number] | KeyName) => (who === 'agent' ? agent.token : who === 'admin' ? admin.token : keys[who]);

  it.each(staffAndKeys)('%s cannot rate (FORBIDDEN) and nothing is written', async (who) => {
    const t = await carolsTicket(TicketStatus.RESOLVED);
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 5 }, bearer(who))), 'FORBIDDEN');
    // The ticket was rateable all along: its contact can.
    expect(expectOk(await rate({ ticketId: t.globalId, score: 4 }, carol.token)).rateTicket.score).toBe(4);
  });

  it('a key without TICKETS_READ cannot see the ticket at all (NOT_FOUND) and writes nothing', async () => {
    const t = await carolsTicket(TicketStatus.RESOLVED);
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 5 }, keys['key TICKETS_WRITE'])), 'NOT_FOUND');
  });

  it('another contact of the same business cannot rate (FORBIDDEN) and nothing is written', async () => {
    const t = await carolsTicket(TicketStatus.RESOLVED);
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 1, comment: 'Not mine' }, dave.token)), 'FORBIDDEN');
    expect(expectOk(await rate({ ticketId: t.globalId, score: 4 }, carol.token)).rateTicket.score).toBe(4);
  });

  it('on a ticket with no contact, a contact of its business cannot rate (FORBIDDEN)', async () => {
    const t = await make.ticket(app, { business: acme, status: TicketStatus.RESOLVED });
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 3 }, carol.token)), 'FORBIDDEN');
  });

  it('a contact of another business gets NOT_FOUND and nothing is written', async () => {
    const t = await carolsTicket(TicketStatus.RESOLVED);
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 1 }, gus.token)), 'NOT_FOUND');
  });

  it('an unknown ticket id answers NOT_FOUND; an id of another type BAD_USER_INPUT', async () => {
    expectRefused(await writesNothing(() => rate({ ticketId: nothing('Ticket'), score: 5 }, carol.token)), 'NOT_FOUND');
    expectRefused(await writesNothing(() => rate({ ticketId: nothing('Ticket'), score: 5, token: 'x'.repeat(32) })), 'NOT_FOUND');
    expectRefused(await writesNothing(() => rate({ ticketId: acme.globalId, score: 5 }, carol.token)), 'BAD_USER_INPUT', 'ticketId');
    expectRefused(await writesNothing(() => rate({ ticketId: 'garbage', score: 5 }, carol.token)), 'BAD_USER_INPUT', 'ticketId');
  });

  const badInputs: [string, Partial<RateTicketInput>, string][] = [
    ['score 0', { score: 0 }, 'score'],
    ['score 6', { score: 6 }, 'score'],
    ['score -1', { score: -1 }, 'score'],
    ['a comment of 20,001 characters', { comment: 'z'.repeat(20_001) }, 'comment'],
    ['a comment with a NUL character', { comment: 'a\u0000b' }, 'comment'],
  ];
  it.each(badInputs)('%s → BAD_USER_INPUT on the field, nothing written', async (_what, change, field) => {
    const t = await carolsTicket(TicketStatus.RESOLVED);
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 4, ...change }, carol.token)), 'BAD_USER_INPUT', field);
    expect(expectOk(await rate({ ticketId: t.globalId, score: 4 }, carol.token)).rateTicket.score).toBe(4);
  });

  it('a score that is not an Int (2.5, "5", missing) is refused by GraphQL itself, nothing written', async () => {
    const t = await carolsTicket(TicketStatus.RESOLVED);
    const mutation = 'mutation($input: RateTicketInput!) { rateTicket(input: $input) { score } }';
    for (const score of [2.5, '5', null]) {
      const res = await writesNothing(() => post(mutation, { input: { ticketId: t.globalId, score } }, carol.token));
      expect([res.status, codes(res.body), res.body.data]).toEqual([400, ['BAD_USER_INPUT'], undefined]);
    }
    const literal = await writesNothing(() => post(`mutation { rateTicket(input: { ticketId: "${t.globalId}", score: 2.5 }) { score } }`, undefined, carol.token));
    expect([literal.status, codes(literal.body)]).toEqual([400, ['GRAPHQL_VALIDATION_FAILED']]);
    expect((await stored(t.id)).ratings).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
// 5. Concurrency

describe('concurrency', () => {
  it('two simultaneous ratings by the contact: exactly one succeeds, the other answers CONFLICT, one row', async () => {
    const t = await carolsTicket(TicketStatus.RESOLVED);
    const results = await Promise.all([2, 5].map((score) => rate({ ticketId: t.globalId, score, comment: `score ${score}` }, carol.token)));
    const won = results.filter((r) => !r.errors);
    const lost = results.filter((r) => r.errors);
    expect(won).toHaveLength(1);
    expect(lost.map((r) => ({ codes: codes(r), data: r.data }))).toEqual([{ codes: ['CONFLICT'], data: null }]);
    const winner = won[0].data!.rateTicket.score;
    expect(await stored(t.id)).toMatchObject({ ratings: [{ score: winner, comment: `score ${winner}` }], events: [{ details: { score: winner } }] });
  });

  it('many at once, the contact and the token holder racing: one rating, one timeline entry', async () => {
    const { ticket: t, token } = await resolvedTicket();
    const attempts = [
      ...[1, 2, 3].map((score) => rate({ ticketId: t.globalId, score }, carol.token)),
      ...[4, 5].map((score) => rate({ ticketId: t.globalId, score, token })),
    ];
    const results = await Promise.all(attempts);
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    // The losers: CONFLICT for the contact; for an anonymous loser the token is gone, so NOT_FOUND.
    for (const r of results.filter((x) => x.errors)) expect(['CONFLICT', 'NOT_FOUND']).toContain(codes(r)![0]);
    const after = await stored(t.id);
    expect([after.ratings.length, after.events.length, after.token]).toEqual([1, 1, null]);
  });
});

// ---------------------------------------------------------------------------------------------------
// 6. Reopen and resolve again

describe('reopen, then resolve again', () => {
  it('the rating stays and a second rating is still refused', async () => {
    const { ticket: t } = await resolvedTicket();
    const rating = expectOk(await rate({ ticketId: t.globalId, score: 2, comment: 'Came back' }, carol.token)).rateTicket;

    expectOk(await app.gql(ReopenTicketDocument, { input: { ticketId: t.globalId, reason: 'Still broken' } }, carol.token));
    expect(expectOk(await view(t.globalId, agent.token)).ticket).toMatchObject({ status: 'IN_PROGRESS', satisfaction: rating });
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 5 }, carol.token)), 'CONFLICT');

    expectOk(await app.gql(ResolveTicketDocument, { input: { ticketId: t.globalId, resolutionNotes: 'Fixed for good' } }, agent.token));
    const again = expectOk(await view(t.globalId, carol.token)).ticket!;
    expect(again).toMatchObject({ status: 'RESOLVED', satisfaction: rating });
    expectRefused(await writesNothing(() => rate({ ticketId: t.globalId, score: 5, comment: 'Now fine' }, carol.token)), 'CONFLICT');
    expect(await stored(t.id)).toMatchObject({ ratings: [{ score: 2, comment: 'Came back' }], events: [{ details: { score: 2 } }] });
  });

  // BUG: src/modules/tickets/ticket-workflow.service.ts line 160 (`ticket.satisfactionToken ??= newSatisfactionToken()`)
  // issues a fresh token when a ticket that was already rated (token cleared on rating) is resolved again, so
  // staff read — and the resolution mail would carry — a rating link that can only answer CONFLICT. The field
  // is documented as "null once rated"; a rated ticket should not get a new token.
  it('a rated ticket resolved again gets no new token', async () => {
    const { ticket: t } = await resolvedTicket();
    expectOk(await rate({ ticketId: t.globalId, score: 4 }, carol.token));
    expectOk(await app.gql(ReopenTicketDocument, { input: { ticketId: t.globalId, reason: 'One more thing' } }, carol.token));
    expectOk(await app.gql(ResolveTicketDocument, { input: { ticketId: t.globalId, resolutionNotes: 'Done' } }, agent.token));
    const token = expectOk(await view(t.globalId, agent.token)).ticket!.satisfactionToken;
    expect(token).toBeNull();
  });

  it('an unrated ticket keeps its token across a reopen: refused while in progress, usable once resolved again', async () => {
    const { ticket: t, token } = await resolvedTicket();
    expectOk(await app.gql(ReopenTicketDocument, { input: { ticketId: t.globalId, reason: 'Not yet' } }, carol.token));
    const refused = await writesNothing(() => rate({ ticketId: t.globalId, score: 3, token }));
    expect(expectRefused(refused, 'CONFLICT').extensions).toMatchObject({ status: 'IN_PROGRESS' });

    expectOk(await app.gql(ResolveTicketDocument, { input: { ticketId: t.globalId, resolutionNotes: 'Now done' } }, agent.token));
    expect(expectOk(await view(t.globalId, agent.token)).ticket!.satisfactionToken).toBe(token);
    expect(expectOk(await rate({ ticketId: t.globalId, score: 3, token })).rateTicket.score).toBe(3);
    expect(await stored(t.id)).toMatchObject({ ratings: [{ score: 3, contact: null }], token: null });
  });
});

// ---------------------------------------------------------------------------------------------------
// The timeline subscription

describe('the timeline subscription', () => {
  it('delivers the SATISFACTION_RATED entry after commit to staff and to the customer, and nothing for a refused rating', async () => {
    const { ticket: t, token } = await resolvedTicket();
    const warmUp = await make.ticket(app, { business: acme });
    const filter = { ticketId: t.globalId, types: ['SATISFACTION_RATED'] };
    const staffClient = wsClient(app.url, agent.token);
    const customerClient = wsClient(app.url, carol.token);
    try {
      const staffStream = subscribe(staffClient, OnSatisfactionTimelineDocument, { filter });
      const customerStream = subscribe(customerClient, OnSatisfactionTimelineDocument, { filter });
      const ping = () => app.gql(AddCommentDocument, { input: { ticketId: warmUp.globalId, body: 'ping' } }, agent.token);
      await untilLive(subscribe(staffClient, OnCommentAddedDocument, { ticketId: warmUp.globalId }), ping);
      await untilLive(subscribe(customerClient, OnCommentAddedDocument, { ticketId: warmUp.globalId }), ping);

      expectRefused(await rate({ ticketId: t.globalId, score: 1, token: 'wrong' }), 'NOT_FOUND');
      expectRefused(await rate({ ticketId: t.globalId, score: 1 }, dave.token), 'FORBIDDEN');
      expectOk(await rate({ ticketId: t.globalId, score: 5, token }));

      const entry = { id: expect.any(String), type: 'SATISFACTION_RATED', isInternal: false, details: { score: 5 }, actor: null };
      expect((await staffStream.waitFor(1)).map((r) => r.data!.ticketEvents)).toEqual([entry]);
      expect((await customerStream.waitFor(1)).map((r) => r.data!.ticketEvents)).toEqual([entry]);
      await sleep(300);
      expect([staffStream.received.length, customerStream.received.length]).toEqual([1, 1]);
    } finally {
      await staffClient.dispose();
      await customerClient.dispose();
    }
  });
});
