import { SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import {
  AccessAddCommentDocument,
  AccessBusinessTicketsDocument,
  AccessNodeDocument,
  AccessTicketDocument,
  AccessTicketListDocument,
  ApiScope,
  AssignTicketDocument,
  BusinessesDocument,
  CreateApiKeyDocument,
  CreateBusinessDocument,
  CreateContactDocument,
  CreateTicketDocument,
  CreateUserDocument,
  LinkTicketDocument,
  MeDocument,
  Role,
  SetTicketTagsDocument,
  SubmitTicketDocument,
  TicketPriority,
  UpdateTicketDocument,
  UsersDocument,
} from '../__generated__/graphql';
import * as make from '../factories';
import { startTestApp, TEST_JWT_SECRET, type GraphQLResponse, type TestApp } from '../setup/test-app';
import { Business } from '../../src/modules/businesses/business.entity';
import { Contact } from '../../src/modules/businesses/contact.entity';
import { Comment } from '../../src/modules/comments/comment.entity';
import { TicketEvent, TicketEventType } from '../../src/modules/tickets/ticket-event.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { ApiKey } from '../../src/modules/users/auth/api-key.entity';
import { ApiScope as Scope } from '../../src/modules/users/auth/api-scope.enum';
import { hashApiKey } from '../../src/modules/users/auth/api-key-secret';
import { User } from '../../src/modules/users/user.entity';
import { Role as StaffRole } from '../../src/modules/users/user.enums';

/**
 * The access table of DESIGN.md, over real HTTP, for every kind of viewer and every path that reaches
 * the data: lists and their counts, `ticket(id)`, `node(id)`, nested back-references, timelines,
 * search and mutation payloads. Refused mutations are checked in the database to have written nothing.
 */

let app: TestApp;

/** The viewers. Keys are named by their scopes. */
const KEY_SCOPES = {
  'key TICKETS_READ': [Scope.TICKETS_READ],
  'key TICKETS_READ+COMMENTS_INTERNAL': [Scope.TICKETS_READ, Scope.COMMENTS_INTERNAL],
  'key TICKETS_READ+TICKETS_WRITE': [Scope.TICKETS_READ, Scope.TICKETS_WRITE],
  'key TICKETS_WRITE': [Scope.TICKETS_WRITE],
  'key COMMENTS_INTERNAL': [Scope.COMMENTS_INTERNAL],
  'key REPORTS_READ': [Scope.REPORTS_READ],
  'key every scope': Object.values(Scope),
} satisfies Record<string, Scope[]>;
type KeyName = keyof typeof KEY_SCOPES;
type Who = 'anonymous' | 'customer' | 'agent' | 'admin' | KeyName;

const tokens = {} as Record<Exclude<Who, 'anonymous'>, string>;
const as = (who: Who): string | undefined => (who === 'anonymous' ? undefined : tokens[who]);

/** Text that appears only in internal comments: no external path may ever return it. */
const SECRET = 'zebra-crossing-4711';
const SECRET_BODY = `Internal: customer is on a payment hold (${SECRET})`;

let admin: make.Staff;
let agent: make.Staff;
let acme: Business;
let globex: Business;
let carla: make.Customer; // a contact of acme
let gus: make.Customer; // a contact of globex

/** Read-only fixtures: no test writes to these tickets. */
let acmeTicket: Ticket;
let acmeExternal: Comment;
let acmeInternal: Comment;
let acmeInternalEvent: TicketEvent;
let acmeExternalEvent: TicketEvent;
let globexTicket: Ticket;
let globexExternal: Comment;
let globexInternal: Comment;
let globexEvent: TicketEvent;
let unlinkedTicket: Ticket;

beforeAll(async () => {
  app = await startTestApp();
  admin = await make.staffUser(app, StaffRole.ADMIN, `Admin ${randomBytes(3).toString('hex')}`);
  agent = await make.staffUser(app);
  acme = await make.business(app, { name: 'Acme Corporation' });
  globex = await make.business(app, { name: 'Globex Industries' });
  carla = await make.customer(app, acme);
  gus = await make.customer(app, globex);
  tokens.admin = admin.token;
  tokens.agent = agent.token;
  tokens.customer = carla.token;
  for (const [name, scopes] of Object.entries(KEY_SCOPES) as [KeyName, Scope[]][]) {
    tokens[name] = await make.apiKey(app, admin.user, scopes);
  }

  acmeTicket = await make.ticket(app, { business: acme, title: 'Acme printer jam', description: 'The printer on floor 3 jams.' });
  acmeExternal = await make.comment(app, acmeTicket, agent.user, 'Please restart the printer.', false);
  acmeInternal = await make.comment(app, acmeTicket, agent.user, SECRET_BODY, true);
  globexTicket = await make.ticket(app, { business: globex, title: 'Globex reactor alarm', description: 'The alarm rings all night.' });
  globexExternal = await make.comment(app, globexTicket, agent.user, 'We are looking into the alarm.', false);
  globexInternal = await make.comment(app, globexTicket, agent.user, `Globex note (${SECRET})`, true);
  unlinkedTicket = await make.ticket(app, { title: 'Web form ticket of nobody yet', description: 'Submitted from the web form.' });

  const em = app.em();
  const acmeEvents = await em.find(TicketEvent, { ticket: acmeTicket.id, type: TicketEventType.COMMENTED }, { orderBy: { id: 'asc' } });
  acmeExternalEvent = acmeEvents.find((e) => !e.isInternal)!;
  acmeInternalEvent = acmeEvents.find((e) => e.isInternal)!;
  globexEvent = await em.findOneOrFail(TicketEvent, { ticket: globexTicket.id, type: TicketEventType.CREATED });
  expect([acmeEvents.length, acmeExternalEvent.details, acmeInternalEvent.details]).toEqual([
    2,
    { comment: acmeExternal.globalId },
    { comment: acmeInternal.globalId },
  ]);
});
afterAll(() => app?.stop());

// ---------------------------------------------------------------------------------------------------
// Helpers

function codes(res: GraphQLResponse<unknown>): unknown[] | undefined {
  return res.errors?.map((e) => e.extensions?.code);
}

/** Exactly one error with this code, and exactly this `data` (null for a non-null root field). */
function expectRefused(res: GraphQLResponse<unknown>, code: string, data: unknown = null): void {
  expect({ codes: codes(res), data: res.data }).toEqual({ codes: [code], data });
}

function expectOk<T>(res: GraphQLResponse<T>): T {
  expect(res.errors).toBeUndefined();
  return res.data!;
}

/** What a refused mutation must leave as it was. */
async function snapshot(ticketId: string) {
  const em = app.em();
  const t = await em.findOneOrFail(Ticket, { id: ticketId }, { populate: ['tags'] });
  return {
    title: t.title,
    description: t.description,
    priority: t.priority,
    status: t.status,
    version: t.version,
    updatedAt: t.updatedAt.toISOString(),
    business: t.business?.id ?? null,
    contact: t.contact?.id ?? null,
    assignee: t.assignee?.id ?? null,
    tags: t.tags.getItems().map((tag) => tag.name),
    comments: await em.count(Comment, { ticket: ticketId }),
    events: await em.count(TicketEvent, { ticket: ticketId }),
  };
}

async function tableCounts() {
  const em = app.em();
  return {
    tickets: await em.count(Ticket, {}),
    comments: await em.count(Comment, {}),
    events: await em.count(TicketEvent, {}),
    businesses: await em.count(Business, {}),
    contacts: await em.count(Contact, {}),
    users: await em.count(User, {}),
    apiKeys: await em.count(ApiKey, {}),
  };
}

/** A raw POST, to see the HTTP status as well as the body. */
async function rawPost(authorization: string | undefined, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<Record<string, unknown>> };
}

const jwtKey = () => new TextEncoder().encode(TEST_JWT_SECRET);
/** The session a token names (its `sid`): hand-built tokens reuse a live one, so only what the test changes is wrong. */
const sidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
const nowSeconds = () => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------------------------------
// Internal comments and internal timeline entries

const HIDDEN_FROM = ['customer', 'key TICKETS_READ', 'key TICKETS_READ+TICKETS_WRITE'] as const;
const SHOWN_TO = ['agent', 'admin', 'key TICKETS_READ+COMMENTS_INTERNAL', 'key every scope'] as const;

describe.each(HIDDEN_FROM)('internal comments never reach %s', (who) => {
  it('ticket.comments: neither the node nor the count, nor through Comment.ticket back-references', async () => {
    const res = await app.gql(AccessTicketDocument, { id: acmeTicket.globalId }, as(who));
    const ticket = expectOk(res).ticket!;
    const onlyExternal = { totalCount: 1, nodes: [{ id: acmeExternal.globalId, body: 'Please restart the printer.', isInternal: false }] };
    expect(ticket.comments).toEqual({
      totalCount: 1,
      nodes: [
        {
          ...onlyExternal.nodes[0],
          ticket: {
            id: acmeTicket.globalId,
            comments: onlyExternal,
            history: {
              totalCount: 2,
              nodes: [
                { id: expect.any(String), type: 'CREATED', isInternal: false },
                { id: acmeExternalEvent.globalId, type: 'COMMENTED', isInternal: false },
              ],
            },
          },
        },
      ],
    });
    expect(JSON.stringify(res)).not.toContain(SECRET);
    expect(JSON.stringify(res)).not.toContain(acmeInternal.globalId);
  });

  it('ticket.history: internal COMMENTED entries are hidden, and so is their count', async () => {
    const res = await app.gql(AccessTicketDocument, { id: acmeTicket.globalId }, as(who));
    const history = expectOk(res).ticket!.history;
    expect(history).toEqual({
      totalCount: 2,
      nodes: [
        { id: expect.any(String), type: 'CREATED', isInternal: false, details: {} },
        { id: acmeExternalEvent.globalId, type: 'COMMENTED', isInternal: false, details: { comment: acmeExternal.globalId } },
      ],
    });
    expect(JSON.stringify(res)).not.toContain(acmeInternalEvent.globalId);
  });

  it('node(id) of the internal comment answers NOT_FOUND', async () => {
    const res = await app.gql(AccessNodeDocument, { id: acmeInternal.globalId }, as(who));
    expectRefused(res, 'NOT_FOUND', { node: null });
    expect(JSON.stringify(res)).not.toContain(SECRET);
  });

  it('node(id) of the internal timeline entry answers NOT_FOUND', async () => {
    const res = await app.gql(AccessNodeDocument, { id: acmeInternalEvent.globalId }, as(who));
    expectRefused(res, 'NOT_FOUND', { node: null });
  });

  it('node(id) of an external comment works, and its Comment.ticket back-reference hides the internal one', async () => {
    const res = await app.gql(AccessNodeDocument, { id: acmeExternal.globalId }, as(who));
    expect(expectOk(res).node).toEqual({
      id: acmeExternal.globalId,
      __typename: 'Comment',
      body: 'Please restart the printer.',
      isInternal: false,
      ticket: {
        id: acmeTicket.globalId,
        comments: { totalCount: 1, nodes: [{ id: acmeExternal.globalId, isInternal: false }] },
        history: { totalCount: 2 },
      },
    });
  });

  it('node(id) of an external timeline entry works', async () => {
    const res = await app.gql(AccessNodeDocument, { id: acmeExternalEvent.globalId }, as(who));
    expect(expectOk(res).node).toEqual({
      id: acmeExternalEvent.globalId,
      __typename: 'TicketEvent',
      type: 'COMMENTED',
      isInternal: false,
      details: { comment: acmeExternal.globalId },
    });
  });

  it('node(id) of the ticket: Ticket.comments hides the internal one', async () => {
    const res = await app.gql(AccessNodeDocument, { id: acmeTicket.globalId }, as(who));
    expect(expectOk(res).node).toEqual({
      id: acmeTicket.globalId,
      __typename: 'Ticket',
      title: 'Acme printer jam',
      comments: { totalCount: 1, nodes: [{ id: acmeExternal.globalId, isInternal: false }] },
    });
  });

  it('tickets list: nested comments and history (batched loaders) hide internal rows and their counts', async () => {
    const res = await app.gql(AccessTicketListDocument, { filter: { search: 'printer jam' }, first: 100 }, as(who));
    expect(expectOk(res).tickets).toEqual({
      totalCount: 1,
      nodes: [
        {
          id: acmeTicket.globalId,
          title: 'Acme printer jam',
          business: { id: acme.globalId },
          comments: { totalCount: 1, nodes: [{ id: acmeExternal.globalId, body: 'Please restart the printer.', isInternal: false }] },
          history: {
            totalCount: 2,
            nodes: [
              { id: expect.any(String), isInternal: false },
              { id: acmeExternalEvent.globalId, isInternal: false },
            ],
          },
        },
      ],
    });
  });

  it('tickets(filter: { search }) does not find a ticket by text found only in an internal comment', async () => {
    const res = await app.gql(AccessTicketListDocument, { filter: { search: SECRET }, first: 100 }, as(who));
    expect(expectOk(res).tickets).toEqual({ totalCount: 0, nodes: [] });
  });
});

describe.each(SHOWN_TO)('internal comments do reach %s', (who) => {
  it('ticket.comments and Comment.ticket back-references list both comments and count 2', async () => {
    const res = await app.gql(AccessTicketDocument, { id: acmeTicket.globalId }, as(who));
    const ticket = expectOk(res).ticket!;
    const both = [
      { id: acmeExternal.globalId, body: 'Please restart the printer.', isInternal: false },
      { id: acmeInternal.globalId, body: SECRET_BODY, isInternal: true },
    ];
    expect(ticket.comments.totalCount).toBe(2);
    expect(ticket.comments.nodes.map(({ ticket: _t, ...c }) => c)).toEqual(both);
    expect(ticket.comments.nodes[1].ticket.comments).toEqual({ totalCount: 2, nodes: both });
    expect(ticket.comments.nodes[1].ticket.history.totalCount).toBe(3);
  });

  it('ticket.history lists the internal COMMENTED entry and counts 3', async () => {
    const res = await app.gql(AccessTicketDocument, { id: acmeTicket.globalId }, as(who));
    expect(expectOk(res).ticket!.history).toEqual({
      totalCount: 3,
      nodes: [
        { id: expect.any(String), type: 'CREATED', isInternal: false, details: {} },
        { id: acmeExternalEvent.globalId, type: 'COMMENTED', isInternal: false, details: { comment: acmeExternal.globalId } },
        { id: acmeInternalEvent.globalId, type: 'COMMENTED', isInternal: true, details: { comment: acmeInternal.globalId } },
      ],
    });
  });

  it('node(id) answers the internal comment and the internal timeline entry', async () => {
    const comment = await app.gql(AccessNodeDocument, { id: acmeInternal.globalId }, as(who));
    expect(expectOk(comment).node).toMatchObject({
      id: acmeInternal.globalId,
      __typename: 'Comment',
      body: SECRET_BODY,
      isInternal: true,
      ticket: { id: acmeTicket.globalId, comments: { totalCount: 2 }, history: { totalCount: 3 } },
    });
    const event = await app.gql(AccessNodeDocument, { id: acmeInternalEvent.globalId }, as(who));
    expect(expectOk(event).node).toEqual({
      id: acmeInternalEvent.globalId,
      __typename: 'TicketEvent',
      type: 'COMMENTED',
      isInternal: true,
      details: { comment: acmeInternal.globalId },
    });
  });

  it('tickets list: nested comments count the internal one', async () => {
    const res = await app.gql(AccessTicketListDocument, { filter: { search: 'printer jam' }, first: 100 }, as(who));
    const [node] = expectOk(res).tickets.nodes;
    expect([node.comments.totalCount, node.comments.nodes.map((c) => c.isInternal), node.history.totalCount]).toEqual([2, [false, true], 3]);
  });
});

describe('internal comments: other paths', () => {
  it('a key with COMMENTS_INTERNAL but without TICKETS_READ reads no ticket, comment or timeline entry', async () => {
    const who = 'key COMMENTS_INTERNAL';
    expectRefused(await app.gql(AccessTicketDocument, { id: acmeTicket.globalId }, as(who)), 'NOT_FOUND', { ticket: null });
    expectRefused(await app.gql(AccessNodeDocument, { id: acmeInternal.globalId }, as(who)), 'NOT_FOUND', { node: null });
    expectRefused(await app.gql(AccessNodeDocument, { id: acmeInternalEvent.globalId }, as(who)), 'NOT_FOUND', { node: null });
  });

  it('an internal comment written through the API reaches neither the customer nor its view of the ticket (updatedAt, version, counts)', async () => {
    const quiet = await make.ticket(app, { business: acme, title: 'Quiet ticket' });
    const before = expectOk(await app.gql(AccessTicketDocument, { id: quiet.globalId }, carla.token)).ticket!;

    const added = await app.gql(AccessAddCommentDocument, { input: { ticketId: quiet.globalId, body: `Note ${SECRET}`, isInternal: true } }, agent.token);
    const payload = expectOk(added).addComment;
    expect(payload.comment).toMatchObject({ isInternal: true, body: `Note ${SECRET}`, author: { id: agent.user.globalId } });
    expect(payload.ticket.comments.totalCount).toBe(1);

    const after = expectOk(await app.gql(AccessTicketDocument, { id: quiet.globalId }, carla.token)).ticket!;
    expect(after).toEqual(before);
    expect([after.comments.totalCount, after.history.totalCount]).toEqual([0, 1]);
    expectRefused(await app.gql(AccessNodeDocument, { id: payload.comment.id }, carla.token), 'NOT_FOUND', { node: null });
  });

  it.each(['customer', 'key TICKETS_READ+TICKETS_WRITE'] as const)(
    'the addComment payload of %s hides the internal comments already on the ticket',
    async (who) => {
      const chat = await make.ticket(app, { business: acme, title: 'Chat ticket' });
      const note = await make.comment(app, chat, agent.user, `Team note ${SECRET}`, true);
      const res = await app.gql(AccessAddCommentDocument, { input: { ticketId: chat.globalId, body: 'Any news?' } }, as(who));
      const payload = expectOk(res).addComment;
      expect(payload.comment).toMatchObject({ body: 'Any news?', isInternal: false, author: null, ticket: { id: chat.globalId } });
      expect(payload.ticket.comments).toEqual({ totalCount: 1, nodes: [{ id: payload.comment.id, isInternal: false }] });
      expect(payload.ticket.history).toEqual({
        totalCount: 2,
        nodes: [
          { id: expect.any(String), isInternal: false },
          { id: expect.any(String), isInternal: false },
        ],
      });
      expect(JSON.stringify(res)).not.toContain(note.globalId);
      expect(JSON.stringify(res)).not.toContain(SECRET);
    },
  );
});

// ---------------------------------------------------------------------------------------------------
// A customer sees its business's tickets only

describe('a customer sees only its business', () => {
  it('tickets: only its business, and totalCount counts only those', async () => {
    const res = await app.gql(AccessTicketListDocument, { first: 100 }, carla.token);
    const { tickets } = expectOk(res);
    const em = app.em();
    const own = await em.find(Ticket, { business: acme.id }, { orderBy: { createdAt: 'desc', id: 'desc' } });
    expect(own.length).toBeGreaterThan(0);
    expect(tickets.totalCount).toBe(own.length);
    expect(tickets.nodes.map((t) => t.id).sort()).toEqual(own.map((t) => t.globalId).sort());
    expect(new Set(tickets.nodes.map((t) => t.business?.id))).toEqual(new Set([acme.globalId]));
    expect(JSON.stringify(res)).not.toContain(globexTicket.globalId);
    expect(JSON.stringify(res)).not.toContain(unlinkedTicket.globalId);
  });

  it('tickets(filter: { businessId: another business }) finds nothing and counts 0', async () => {
    const res = await app.gql(AccessTicketListDocument, { filter: { businessId: globex.globalId }, first: 100 }, carla.token);
    expect(expectOk(res).tickets).toEqual({ totalCount: 0, nodes: [] });
  });

  it("tickets(filter: { search }) does not find another business's ticket by its title", async () => {
    const res = await app.gql(AccessTicketListDocument, { filter: { search: 'reactor alarm' }, first: 100 }, carla.token);
    expect(expectOk(res).tickets).toEqual({ totalCount: 0, nodes: [] });
    const agentView = await app.gql(AccessTicketListDocument, { filter: { search: 'reactor alarm' }, first: 100 }, agent.token);
    expect(expectOk(agentView).tickets.nodes.map((t) => t.id)).toEqual([globexTicket.globalId]);
  });

  it('ticket(id) of its own business answers the ticket', async () => {
    const res = await app.gql(AccessTicketDocument, { id: acmeTicket.globalId }, carla.token);
    expect(expectOk(res).ticket).toMatchObject({ id: acmeTicket.globalId, business: { id: acme.globalId } });
  });

  it.each([
    ['another business', () => globexTicket],
    ['no business yet (UNASSIGNED)', () => unlinkedTicket],
  ])('ticket(id) of a ticket of %s answers NOT_FOUND, never FORBIDDEN', async (_label, which) => {
    expectRefused(await app.gql(AccessTicketDocument, { id: which().globalId }, carla.token), 'NOT_FOUND', { ticket: null });
    expectRefused(await app.gql(AccessNodeDocument, { id: which().globalId }, carla.token), 'NOT_FOUND', { node: null });
  });

  it("node(id) of another business's comment, timeline entry, business and contact answers NOT_FOUND", async () => {
    for (const id of [globexExternal.globalId, globexInternal.globalId, globexEvent.globalId, globex.globalId, gus.contact.globalId]) {
      const res = await app.gql(AccessNodeDocument, { id }, carla.token);
      expect([id, codes(res), res.data]).toEqual([id, ['NOT_FOUND'], { node: null }]);
    }
  });

  it('the other customer is fenced the same way, the other way round', async () => {
    expectRefused(await app.gql(AccessTicketDocument, { id: acmeTicket.globalId }, gus.token), 'NOT_FOUND', { ticket: null });
    const res = await app.gql(AccessTicketListDocument, { first: 100 }, gus.token);
    expect(expectOk(res).tickets.nodes.map((t) => t.id)).toEqual([globexTicket.globalId]);
    expect(res.data!.tickets.totalCount).toBe(1);
  });

  it('business(id) of another business answers NOT_FOUND; its own answers with only its tickets', async () => {
    expectRefused(await app.gql(AccessBusinessTicketsDocument, { id: globex.globalId }, carla.token), 'NOT_FOUND', { business: null });
    const res = await app.gql(AccessBusinessTicketsDocument, { id: acme.globalId }, carla.token);
    const own = await app.em().count(Ticket, { business: acme.id });
    const business = expectOk(res).business!;
    expect(business.tickets.totalCount).toBe(own);
    expect(new Set(business.tickets.nodes.map((t) => t.business?.id))).toEqual(new Set([acme.globalId]));
  });

  it('Business.tickets cannot be widened to another business through its filter', async () => {
    const res = await app.gql(AccessBusinessTicketsDocument, { id: acme.globalId, filter: { businessId: globex.globalId } }, carla.token);
    const business = expectOk(res).business!;
    expect(business.tickets.nodes.map((t) => t.id)).not.toContain(globexTicket.globalId);
    expect(new Set(business.tickets.nodes.map((t) => t.business?.id))).toEqual(new Set([acme.globalId]));
  });

  it('businesses lists only its own, with totalCount 1, whatever the search', async () => {
    const all = await app.gql(BusinessesDocument, { first: 100 }, carla.token);
    expect(expectOk(all).businesses).toMatchObject({ totalCount: 1, nodes: [{ id: acme.globalId, name: 'Acme Corporation' }] });
    const search = await app.gql(BusinessesDocument, { search: 'Globex', first: 100 }, carla.token);
    expect(expectOk(search).businesses).toMatchObject({ totalCount: 0, nodes: [] });
  });

  it('me answers the contact as a CUSTOMER', async () => {
    const res = await app.gql(MeDocument, {}, carla.token);
    expect(expectOk(res).me).toEqual({ id: carla.contact.globalId, name: carla.contact.name, email: carla.contact.email, role: 'CUSTOMER' });
  });
});

// ---------------------------------------------------------------------------------------------------
// What a customer may write

describe('customer writes', () => {
  let work: Ticket; // one of acme's, only refused changes are tried on it

  beforeAll(async () => {
    work = await make.ticket(app, { business: acme, title: 'Customer work ticket' });
  });

  it("adds an external comment on its business's ticket, authored by its contact", async () => {
    const own = await make.ticket(app, { business: acme, title: 'Customer comments here' });
    const before = await snapshot(own.id);
    const res = await app.gql(AccessAddCommentDocument, { input: { ticketId: own.globalId, body: 'It happens again.' } }, carla.token);
    const payload = expectOk(res).addComment;
    expect(payload.comment).toMatchObject({ body: 'It happens again.', isInternal: false, authorName: carla.contact.name, author: null });

    const em = app.em();
    const stored = await em.findOneOrFail(Comment, { ticket: own.id });
    expect([stored.isInternal, stored.authorContact?.id, stored.author]).toEqual([false, carla.contact.id, null]);
    const after = await snapshot(own.id);
    expect([after.comments, after.events]).toEqual([before.comments + 1, before.events + 1]);
  });

  type Attempt = [label: string, code: 'FORBIDDEN' | 'NOT_FOUND', ticket: () => Ticket, send: (ticketId: string) => Promise<GraphQLResponse<unknown>>];
  const internalComment = (id: string) => app.gql(AccessAddCommentDocument, { input: { ticketId: id, body: 'Sneaky note', isInternal: true } }, carla.token);
  const externalComment = (id: string) => app.gql(AccessAddCommentDocument, { input: { ticketId: id, body: 'Hello?' } }, carla.token);
  const update = (id: string) => app.gql(UpdateTicketDocument, { input: { ticketId: id, title: 'Hijacked', priority: TicketPriority.URGENT } }, carla.token);
  const assign = (id: string) => app.gql(AssignTicketDocument, { input: { ticketId: id, assigneeId: agent.user.globalId } }, carla.token);
  const tag = (id: string) => app.gql(SetTicketTagsDocument, { input: { ticketId: id, tags: ['vip'] } }, carla.token);
  const link = (id: string) => app.gql(LinkTicketDocument, { input: { ticketId: id, businessId: acme.globalId } }, carla.token);

  it.each<Attempt>([
    ['an internal comment on its own ticket', 'FORBIDDEN', () => work, internalComment],
    ['an internal comment on another business’s ticket', 'NOT_FOUND', () => globexTicket, internalComment],
    ['an external comment on another business’s ticket', 'NOT_FOUND', () => globexTicket, externalComment],
    ['an external comment on an UNASSIGNED ticket', 'NOT_FOUND', () => unlinkedTicket, externalComment],
    ['updateTicket on its own ticket', 'FORBIDDEN', () => work, update],
    ['updateTicket on another business’s ticket', 'NOT_FOUND', () => globexTicket, update],
    ['assignTicket on its own ticket', 'FORBIDDEN', () => work, assign],
    ['assignTicket on another business’s ticket', 'NOT_FOUND', () => globexTicket, assign],
    ['setTicketTags on its own ticket', 'FORBIDDEN', () => work, tag],
    ['setTicketTags on another business’s ticket', 'NOT_FOUND', () => globexTicket, tag],
    ['linkTicketToBusiness on its own ticket', 'FORBIDDEN', () => work, link],
    ['linkTicketToBusiness on another business’s ticket', 'NOT_FOUND', () => globexTicket, link],
    ['linkTicketToBusiness pulling an UNASSIGNED ticket into its business', 'NOT_FOUND', () => unlinkedTicket, link],
  ])('%s answers %s and writes nothing', async (_label, code, which, send) => {
    const ticket = which();
    const before = await snapshot(ticket.id);
    const res = await send(ticket.globalId);
    expectRefused(res, code);
    expect(await snapshot(ticket.id)).toEqual(before);
  });

  it.each([
    ['createTicket', () => app.gql(CreateTicketDocument, { input: { title: 'Mine', description: 'By a customer', businessId: acme.globalId } }, carla.token)],
    ['createBusiness', () => app.gql(CreateBusinessDocument, { input: { name: 'Customer Co' } }, carla.token)],
    ['createContact', () => app.gql(CreateContactDocument, { input: { businessId: acme.globalId, name: 'Friend', email: `friend-${Date.now()}@customer.example` } }, carla.token)],
  ] as const)('%s answers FORBIDDEN and writes nothing', async (_label, send) => {
    const before = await tableCounts();
    expectRefused(await send(), 'FORBIDDEN');
    expect(await tableCounts()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------------
// Anonymous

describe('anonymous', () => {
  it('submits a ticket through the web form: UNASSIGNED, WEB_FORM, no creator', async () => {
    const res = await app.gql(SubmitTicketDocument, {
      input: { title: 'Cannot log in', description: 'The page stays blank.', name: 'Pat Public', email: 'pat@public.example', companyName: 'Pat & Co' },
    });
    const { submitTicket } = expectOk(res);
    expect(submitTicket.reference).toMatch(new RegExp(`^TG-${submitTicket.ticketNumber}-[A-Z2-9]{4}$`));
    const stored = await app.em().findOneOrFail(Ticket, { number: submitTicket.ticketNumber });
    expect([stored.status, stored.channel, stored.creator, stored.business, stored.submitterEmail]).toEqual([
      'UNASSIGNED',
      'WEB_FORM',
      null,
      null,
      'pat@public.example',
    ]);
  });

  it.each<Who>(['customer', 'agent', 'admin', 'key REPORTS_READ'])('%s may submit a ticket too', async (who) => {
    const before = await app.em().count(Ticket, {});
    const res = await app.gql(SubmitTicketDocument, { input: { title: `From ${who}`, description: 'Form', name: 'Someone', email: 'someone@public.example' } }, as(who));
    expect(expectOk(res).submitTicket.ticketNumber).toEqual(expect.any(Number));
    expect(await app.em().count(Ticket, {})).toBe(before + 1);
  });

  it('cannot read a ticket by id: ticket(id) and node(id) answer NOT_FOUND', async () => {
    expectRefused(await app.gql(AccessTicketDocument, { id: acmeTicket.globalId }), 'NOT_FOUND', { ticket: null });
    expectRefused(await app.gql(AccessNodeDocument, { id: acmeTicket.globalId }), 'NOT_FOUND', { node: null });
    expectRefused(await app.gql(AccessNodeDocument, { id: acmeExternal.globalId }), 'NOT_FOUND', { node: null });
    expectRefused(await app.gql(AccessNodeDocument, { id: acmeExternalEvent.globalId }), 'NOT_FOUND', { node: null });
    expectRefused(await app.gql(AccessNodeDocument, { id: acme.globalId }), 'NOT_FOUND', { node: null });
  });

  it('cannot comment, nor change a ticket (NOT_FOUND: the ticket is not visible), and nothing is written', async () => {
    const before = await snapshot(acmeTicket.id);
    expectRefused(await app.gql(AccessAddCommentDocument, { input: { ticketId: acmeTicket.globalId, body: 'Hi from nowhere' } }), 'NOT_FOUND');
    expectRefused(await app.gql(UpdateTicketDocument, { input: { ticketId: acmeTicket.globalId, title: 'Anonymous edit' } }), 'NOT_FOUND');
    expect(await snapshot(acmeTicket.id)).toEqual(before);
  });

  it('me answers null', async () => {
    expect(expectOk(await app.gql(MeDocument, {}))).toEqual({ me: null });
  });

  // DESIGN.md: anonymous may not read tickets (nor businesses, users), and UNAUTHENTICATED is the code
  // for "sign in first"; FORBIDDEN is for a signed-in viewer lacking a right.
  it.each([
    ['tickets', () => app.gql(AccessTicketListDocument, { first: 100 })],
    ['businesses', () => app.gql(BusinessesDocument, { first: 100 })],
    ['users', () => app.gql(UsersDocument, {})],
    ['createTicket', () => app.gql(CreateTicketDocument, { input: { title: 'Anon', description: 'Anon' } })],
    ['createUser', () => app.gql(CreateUserDocument, { input: { name: 'Eve', email: 'eve@evil.example', password: 'password-123', role: Role.ADMIN } })],
    ['createApiKey', () => app.gql(CreateApiKeyDocument, { input: { name: 'Anon key', scopes: [ApiScope.TICKETS_READ] } })],
  ] as const)('%s answers UNAUTHENTICATED (no data) and writes nothing', async (_label, send) => {
    const before = await tableCounts();
    expectRefused(await send(), 'UNAUTHENTICATED');
    expect(await tableCounts()).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------------
// Staff and API keys reading tickets

describe('reading tickets: staff and keys with TICKETS_READ read every ticket', () => {
  it.each<Who>(['agent', 'admin', 'key TICKETS_READ', 'key TICKETS_READ+TICKETS_WRITE', 'key every scope'])(
    '%s: tickets lists every ticket with the full totalCount; ticket(id) of any business and of none',
    async (who) => {
      const res = await app.gql(AccessTicketListDocument, { first: 100 }, as(who));
      const all = await app.em().count(Ticket, {});
      const { tickets } = expectOk(res);
      expect(tickets.totalCount).toBe(all);
      expect(tickets.nodes.map((t) => t.id)).toEqual(expect.arrayContaining([acmeTicket.globalId, globexTicket.globalId, unlinkedTicket.globalId]));
      for (const t of [acmeTicket, globexTicket, unlinkedTicket]) {
        expect(expectOk(await app.gql(AccessTicketDocument, { id: t.globalId }, as(who))).ticket!.id).toBe(t.globalId);
      }
      const business = await app.gql(AccessBusinessTicketsDocument, { id: globex.globalId }, as(who));
      expect(expectOk(business).business!.tickets.nodes.map((t) => t.id)).toEqual([globexTicket.globalId]);
    },
  );

  it.each<Who>(['key TICKETS_READ', 'agent'])('%s: businesses lists every business', async (who) => {
    const res = await app.gql(BusinessesDocument, { first: 100 }, as(who));
    expect(expectOk(res).businesses.totalCount).toBe(await app.em().count(Business, {}));
  });
});

describe('reading tickets without TICKETS_READ is refused', () => {
  const NO_READ = ['key TICKETS_WRITE', 'key COMMENTS_INTERNAL', 'key REPORTS_READ'] as const;

  it.each(NO_READ)('%s: ticket(id), node(id) and business(id) answer NOT_FOUND', async (who) => {
    expectRefused(await app.gql(AccessTicketDocument, { id: acmeTicket.globalId }, as(who)), 'NOT_FOUND', { ticket: null });
    expectRefused(await app.gql(AccessNodeDocument, { id: acmeTicket.globalId }, as(who)), 'NOT_FOUND', { node: null });
    expectRefused(await app.gql(AccessNodeDocument, { id: acmeExternal.globalId }, as(who)), 'NOT_FOUND', { node: null });
    expectRefused(await app.gql(AccessBusinessTicketsDocument, { id: acme.globalId }, as(who)), 'NOT_FOUND', { business: null });
  });

  it.each(NO_READ)('%s: the tickets list answers FORBIDDEN (not an empty page)', async (who) => {
    expectRefused(await app.gql(AccessTicketListDocument, { first: 100 }, as(who)), 'FORBIDDEN');
  });

  it.each(NO_READ)('%s: the businesses list answers FORBIDDEN', async (who) => {
    expectRefused(await app.gql(BusinessesDocument, { first: 100 }, as(who)), 'FORBIDDEN');
  });
});

// ---------------------------------------------------------------------------------------------------
// Staff and API keys writing tickets

describe('writing tickets: staff and keys with TICKETS_WRITE', () => {
  it.each<Who>(['agent', 'key TICKETS_READ+TICKETS_WRITE'])(
    '%s updates, assigns, tags, links and comments internally; each change is stored',
    async (who) => {
      const target = await make.ticket(app, { title: `Work of ${who}` });
      const id = target.globalId;
      expect(expectOk(await app.gql(UpdateTicketDocument, { input: { ticketId: id, title: 'Renamed', priority: TicketPriority.HIGH } }, as(who))).updateTicket.ticket).toMatchObject({ title: 'Renamed', priority: 'HIGH', version: 2 });
      expect(expectOk(await app.gql(AssignTicketDocument, { input: { ticketId: id, assigneeId: agent.user.globalId } }, as(who))).assignTicket.ticket.assignee).toEqual({ id: agent.user.globalId, name: agent.user.name });
      expect(expectOk(await app.gql(SetTicketTagsDocument, { input: { ticketId: id, tags: ['Billing'] } }, as(who))).setTicketTags.ticket.tags).toEqual([{ name: 'Billing' }]);
      expect(expectOk(await app.gql(LinkTicketDocument, { input: { ticketId: id, businessId: globex.globalId } }, as(who))).linkTicketToBusiness.ticket).toMatchObject({ status: 'OPEN', business: { id: globex.globalId } });
      const note = expectOk(await app.gql(AccessAddCommentDocument, { input: { ticketId: id, body: 'Internal by writer', isInternal: true } }, as(who))).addComment.comment;
      expect(note).toMatchObject({ isInternal: true, body: 'Internal by writer' });

      const stored = await snapshot(target.id);
      expect(stored).toMatchObject({ title: 'Renamed', priority: 'HIGH', status: 'OPEN', business: globex.id, assignee: agent.user.id, tags: ['Billing'], comments: 1, version: 5 });
      const comment = await app.em().findOneOrFail(Comment, { ticket: target.id });
      expect(comment.isInternal).toBe(true);
    },
  );

  it('a key with TICKETS_WRITE creates a ticket: channel API, no creator', async () => {
    const res = await app.gql(CreateTicketDocument, { input: { title: 'From the integration', description: 'Synced', businessId: acme.globalId } }, as('key TICKETS_READ+TICKETS_WRITE'));
    expect(expectOk(res).createTicket.ticket).toMatchObject({ channel: 'API', creator: null, status: 'OPEN', business: { id: acme.globalId } });
  });

  it('a comment by a key is authored by the key’s name, with no staff author', async () => {
    const keyName = (await app.em().findOneOrFail(ApiKey, { keyHash: hashApiKey(tokens['key TICKETS_READ+TICKETS_WRITE']) })).name;
    const target = await make.ticket(app, { business: acme });
    const res = await app.gql(AccessAddCommentDocument, { input: { ticketId: target.globalId, body: 'Synced reply' } }, as('key TICKETS_READ+TICKETS_WRITE'));
    expect(expectOk(res).addComment.comment).toMatchObject({ authorName: keyName, author: null, isInternal: false });
  });

  describe('a key with TICKETS_READ only is refused every write (FORBIDDEN) and nothing is written', () => {
    const who = 'key TICKETS_READ';
    let target: Ticket;
    beforeAll(async () => {
      target = await make.ticket(app, { business: acme, title: 'Read-only key target' });
    });

    it.each([
      ['an external comment', (id: string) => app.gql(AccessAddCommentDocument, { input: { ticketId: id, body: 'Read key speaks' } }, as(who))],
      ['an internal comment', (id: string) => app.gql(AccessAddCommentDocument, { input: { ticketId: id, body: 'Read key notes', isInternal: true } }, as(who))],
      ['updateTicket', (id: string) => app.gql(UpdateTicketDocument, { input: { ticketId: id, title: 'Read key edit' } }, as(who))],
      ['assignTicket', (id: string) => app.gql(AssignTicketDocument, { input: { ticketId: id, assigneeId: agent.user.globalId } }, as(who))],
      ['setTicketTags', (id: string) => app.gql(SetTicketTagsDocument, { input: { ticketId: id, tags: ['x'] } }, as(who))],
      ['linkTicketToBusiness', (id: string) => app.gql(LinkTicketDocument, { input: { ticketId: id, businessId: globex.globalId } }, as(who))],
    ] as const)('%s', async (_label, send) => {
      const before = await snapshot(target.id);
      expectRefused(await send(target.globalId), 'FORBIDDEN');
      expect(await snapshot(target.id)).toEqual(before);
    });

    it('createTicket and createBusiness', async () => {
      const before = await tableCounts();
      expectRefused(await app.gql(CreateTicketDocument, { input: { title: 'No', description: 'No' } }, as(who)), 'FORBIDDEN');
      expectRefused(await app.gql(CreateBusinessDocument, { input: { name: 'No Co' } }, as(who)), 'FORBIDDEN');
      expect(await tableCounts()).toEqual(before);
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// Administration: users and API keys

describe('users and API keys are administered by admins only', () => {
  it('an admin creates a user and an API key', async () => {
    const email = `new-agent-${Date.now()}@staff.example`;
    const user = await app.gql(CreateUserDocument, { input: { name: 'New Agent', email, password: 'password-123', role: Role.AGENT } }, admin.token);
    expect(expectOk(user).createUser).toMatchObject({ name: 'New Agent', email, role: 'AGENT' });
    expect(await app.em().count(User, { email })).toBe(1);

    const key = await app.gql(CreateApiKeyDocument, { input: { name: 'Billing sync', scopes: [ApiScope.TICKETS_READ] } }, admin.token);
    const payload = expectOk(key).createApiKey;
    expect(payload.apiKey).toMatchObject({ name: 'Billing sync', scopes: ['TICKETS_READ'] });
    // The new key works at once, with its scope.
    const tickets = await app.gql(AccessTicketListDocument, { first: 1 }, payload.key);
    expect(expectOk(tickets).tickets.totalCount).toBe(await app.em().count(Ticket, {}));
  });

  it.each<Who>(['agent', 'customer', 'key every scope', 'key TICKETS_READ+TICKETS_WRITE'])(
    '%s: createUser and createApiKey answer FORBIDDEN and write nothing',
    async (who) => {
      const before = await tableCounts();
      expectRefused(
        await app.gql(CreateUserDocument, { input: { name: 'Mallory', email: `mallory-${Date.now()}@staff.example`, password: 'password-123', role: Role.ADMIN } }, as(who)),
        'FORBIDDEN',
      );
      expectRefused(await app.gql(CreateApiKeyDocument, { input: { name: 'Mallory key', scopes: [ApiScope.TICKETS_READ, ApiScope.COMMENTS_INTERNAL] } }, as(who)), 'FORBIDDEN');
      expect(await tableCounts()).toEqual(before);
    },
  );

  it('node(id) of an API key answers an admin, and NOT_FOUND to an agent or a key', async () => {
    const stored = await app.em().findOneOrFail(ApiKey, { keyHash: hashApiKey(tokens['key TICKETS_READ']) });
    expect(expectOk(await app.gql(AccessNodeDocument, { id: stored.globalId }, admin.token)).node).toMatchObject({ __typename: 'ApiKey', name: stored.name });
    expectRefused(await app.gql(AccessNodeDocument, { id: stored.globalId }, agent.token), 'NOT_FOUND', { node: null });
    expectRefused(await app.gql(AccessNodeDocument, { id: stored.globalId }, as('key every scope')), 'NOT_FOUND', { node: null });
  });

  it.each<Who>(['agent', 'admin', 'key TICKETS_READ'])('%s lists users (the staff directory)', async (who) => {
    const res = await app.gql(UsersDocument, {}, as(who));
    const users = expectOk(res).users;
    expect(users.length).toBe(await app.em().count(User, {}));
    expect(users).toEqual(
      expect.arrayContaining([
        { id: admin.user.globalId, name: admin.user.name, role: 'ADMIN' },
        { id: agent.user.globalId, name: agent.user.name, role: 'AGENT' },
      ]),
    );
  });

  it.each<Who>(['customer', 'key TICKETS_WRITE', 'key REPORTS_READ', 'key COMMENTS_INTERNAL'])('%s: users answers FORBIDDEN', async (who) => {
    expectRefused(await app.gql(UsersDocument, {}, as(who)), 'FORBIDDEN');
  });
});

// ---------------------------------------------------------------------------------------------------
// Authentication failures: never downgraded to anonymous

describe('a credential that names no live session or key answers UNAUTHENTICATED (HTTP 401)', () => {
  const ME = 'query { me { id } }';
  const SUBMIT = 'mutation($input: SubmitTicketInput!) { submitTicket(input: $input) { ticketNumber } }';
  const submitInput = { input: { title: 'Sneaky', description: 'Bad credential', name: 'X', email: 'x@public.example' } };

  const credentials: [string, () => Promise<string>][] = [
    [
      'a revoked API key',
      async () => {
        const key = await make.apiKey(app, admin.user, [Scope.TICKETS_READ]);
        const em = app.em();
        const stored = await em.findOneOrFail(ApiKey, { keyHash: hashApiKey(key) });
        stored.revokedAt = new Date();
        await em.flush();
        return `Bearer ${key}`;
      },
    ],
    ['an unknown API key', async () => `Bearer tgk_${randomBytes(32).toString('base64url')}`],
    ['a malformed token', async () => 'Bearer not-a-token'],
    ['a truncated session token', async () => `Bearer ${agent.token.slice(0, -5)}`],
    ['an Authorization header that is not Bearer', async () => `Basic ${Buffer.from('agent:password-123').toString('base64')}`],
    [
      'an expired session token',
      async () => {
        const token = await new SignJWT({ kind: 'user', sid: sidOf(agent.token) })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(agent.user.id)
          .setIssuer('ticketgraph')
          .setIssuedAt(nowSeconds() - 7200)
          .setExpirationTime(nowSeconds() - 3600)
          .sign(jwtKey());
        return `Bearer ${token}`;
      },
    ],
    [
      'a session token signed with another secret',
      async () => {
        const token = await new SignJWT({ kind: 'user', sid: sidOf(admin.token) })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(admin.user.id)
          .setIssuer('ticketgraph')
          .setIssuedAt()
          .setExpirationTime('1h')
          .sign(new TextEncoder().encode('another-secret-another-secret-another-secret'));
        return `Bearer ${token}`;
      },
    ],
    [
      'a session token of a contact that can no longer log in',
      async () => {
        const former = await make.customer(app, acme);
        const em = app.em();
        const contact = await em.findOneOrFail(Contact, { id: former.contact.id });
        contact.passwordHash = null;
        await em.flush();
        return `Bearer ${former.token}`;
      },
    ],
  ];

  it.each(credentials)('%s', async (_label, make401) => {
    const authorization = await make401();
    const me = await rawPost(authorization, ME);
    expect({ status: me.status, codes: codes(me.body), data: me.body.data }).toEqual({ status: 401, codes: ['UNAUTHENTICATED'], data: undefined });

    // Not downgraded to anonymous: even the public web form refuses it, and nothing is written.
    const before = await tableCounts();
    const submit = await rawPost(authorization, SUBMIT, submitInput);
    expect({ status: submit.status, codes: codes(submit.body) }).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
    expect(await tableCounts()).toEqual(before);
  });

  it('controls: a valid key and a fresh token built the same way as the expired one are accepted', async () => {
    const key = await rawPost(`Bearer ${tokens['key TICKETS_READ']}`, ME);
    expect({ status: key.status, body: key.body }).toEqual({ status: 200, body: { data: { me: null }, extensions: { cost: expect.any(Object) } } });

    const fresh = await new SignJWT({ kind: 'user', sid: sidOf(agent.token) })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(agent.user.id)
      .setIssuer('ticketgraph')
      .setIssuedAt()
      .setExpirationTime(nowSeconds() + 3600)
      .sign(jwtKey());
    const me = await rawPost(`Bearer ${fresh}`, ME);
    expect({ status: me.status, body: me.body }).toEqual({ status: 200, body: { data: { me: { id: agent.user.globalId } }, extensions: { cost: expect.any(Object) } } });
  });
});
