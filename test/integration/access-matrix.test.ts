import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import { Migration20261206020000_visible_moves } from '../../src/db/migrations/Migration20261206020000_visible_moves';
import { Attachment } from '../../src/modules/intake/attachment.entity';
import { MailRecipient } from '../../src/modules/mail/mail-recipient.entity';
import { Comment } from '../../src/modules/comments/comment.entity';
import { Tag } from '../../src/modules/tags/tag.entity';
import { SatisfactionRating } from '../../src/modules/satisfaction/satisfaction-rating.entity';
import { TicketEvent } from '../../src/modules/tickets/ticket-event.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { ApiKey } from '../../src/modules/users/auth/api-key.entity';
import { hashApiKey } from '../../src/modules/users/auth/api-key-secret';
import { ApiScope as Scope } from '../../src/modules/users/auth/api-scope.enum';
import { User } from '../../src/modules/users/user.entity';
import { Role as StaffRole } from '../../src/modules/users/user.enums';
import type { Business } from '../../src/modules/businesses/business.entity';
import {
  AddCommentDocument,
  ChangeTicketStatusDocument,
  DeactivateUserDocument,
  MatrixAddCommentDocument,
  MatrixBusinessDocument,
  MatrixBusinessesDocument,
  MatrixCommentAddedDocument,
  MatrixContactMailStatusDocument,
  MatrixCreateContactDocument,
  MatrixCreateTicketDocument,
  MatrixMeDocument,
  MatrixNodeDocument,
  MatrixStatusChangedDocument,
  MatrixTagsDocument,
  MatrixTicketDocument,
  MatrixTicketEventsDocument,
  MatrixTicketsDocument,
  MatrixUsersDocument,
  ResolveTicketDocument,
  RevokeApiKeyDocument,
  type MatrixStaffFragment,
} from '../__generated__/graphql';
import * as make from '../factories';
import { postQuery } from '../setup/raw-request';
import { startTestApp, type GraphQLResponse, type TestApp } from '../setup/test-app';
import { receivedUntil, subscribe, untilLive, wsClient, type Subscription } from '../setup/ws-client';

/**
 * Who sees what, over real HTTP and WebSocket: every kind of viewer × every path to the data (queries,
 * nested fields, `node`, mutation payloads, subscriptions, replay) × the fields that must not leak
 * (internal comment bodies, internal reasons, staff emails and load, other businesses' tickets, tags
 * and contacts). One app and one data set for the whole file; the roles are the rows of ROLES.
 */

let app: TestApp;

/** What a role may see: the tickets of which businesses, internal content, the staff directory. */
interface Sees {
  tickets: readonly ('acme' | 'globex' | 'unlinked')[];
  internal: boolean;
  directory: boolean;
  /** The code a list of tickets answers when it sees none. */
  refused?: 'UNAUTHENTICATED' | 'FORBIDDEN';
}

const EVERY_TICKET = ['acme', 'globex', 'unlinked'] as const;
const KEYS = {
  'key TICKETS_READ': [Scope.TICKETS_READ],
  'key TICKETS_WRITE': [Scope.TICKETS_WRITE],
  'key COMMENTS_INTERNAL': [Scope.COMMENTS_INTERNAL],
  'key REPORTS_READ': [Scope.REPORTS_READ],
  'key MONITORING': [Scope.MONITORING],
  'key TICKETS_READ+COMMENTS_INTERNAL': [Scope.TICKETS_READ, Scope.COMMENTS_INTERNAL],
} satisfies Record<string, Scope[]>;

const ROLES = {
  anonymous: { tickets: [], internal: false, directory: false, refused: 'UNAUTHENTICATED' },
  'customer of A': { tickets: ['acme'], internal: false, directory: false },
  'customer of B': { tickets: ['globex'], internal: false, directory: false },
  agent: { tickets: EVERY_TICKET, internal: true, directory: true },
  admin: { tickets: EVERY_TICKET, internal: true, directory: true },
  'key TICKETS_READ': { tickets: EVERY_TICKET, internal: false, directory: true },
  'key TICKETS_WRITE': { tickets: [], internal: false, directory: false, refused: 'FORBIDDEN' },
  'key COMMENTS_INTERNAL': { tickets: [], internal: true, directory: false, refused: 'FORBIDDEN' },
  'key REPORTS_READ': { tickets: [], internal: false, directory: false, refused: 'FORBIDDEN' },
  'key MONITORING': { tickets: [], internal: false, directory: false, refused: 'FORBIDDEN' },
  'key TICKETS_READ+COMMENTS_INTERNAL': { tickets: EVERY_TICKET, internal: true, directory: true },
} satisfies Record<string, Sees>;
type Who = keyof typeof ROLES;
const WHO = Object.keys(ROLES) as Who[];
const sees = (who: Who): Sees => ROLES[who];
const seesAcme = (who: Who) => sees(who).tickets.includes('acme');

const tokens = {} as Record<Who, string | undefined>;

/** Text only internal content holds: no path may show it to a role without `internal`. */
const SECRET_COMMENT = 'Internal: payment hold (walrus-5521)';
const SECRET_REASON = 'Waiting for the fraud check (heron-8832)';
const SECRET_NOTES = 'Refunded without telling them (otter-1290)';
const LIVE_REASON = 'Checking with finance (lynx-3307)';

let agent: make.Staff;
let admin: make.Staff;
let acme: Business;
let globex: Business;
let carla: make.Customer;
let gus: make.Customer;
const tickets = {} as Record<'acme' | 'acmeResolved' | 'globex' | 'unlinked', Ticket>;
let internalComment: Comment;
let internalReasonEvent: TicketEvent;
/** The timeline entry of the internal comment. */
let internalEntry: TicketEvent;
let secretAttachment: Attachment;
/** The timeline cursor just before the data set: replay from it shows the whole data set. */
let beforeDataSet: string;

const ok = <T>(res: GraphQLResponse<T>): T => {
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data!;
};
const code = (res: GraphQLResponse<unknown>) => res.errors?.[0]?.extensions?.code;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  app = await startTestApp();
  admin = await make.staffUser(app, StaffRole.ADMIN);
  agent = await make.staffUser(app);
  acme = await make.business(app, { name: 'Acme', accountManager: agent.user });
  globex = await make.business(app, { name: 'Globex' });
  carla = await make.customer(app, acme);
  gus = await make.customer(app, globex);
  Object.assign(tokens, { anonymous: undefined, 'customer of A': carla.token, 'customer of B': gus.token, agent: agent.token, admin: admin.token });
  for (const [name, scopes] of Object.entries(KEYS)) tokens[name as Who] = await make.apiKey(app, admin.user, scopes);

  const em = app.em();
  const [last] = await em.find(TicketEvent, {}, { orderBy: { position: 'desc' }, limit: 1 });
  beforeDataSet = last ? last.cursor : Buffer.from(JSON.stringify(['timeline', '0'])).toString('base64url');

  tickets.acme = await make.ticket(app, { business: acme, assignee: agent.user, tags: ['acme-tag', 'shared-tag'] });
  tickets.acmeResolved = await make.ticket(app, { business: acme, assignee: agent.user, status: TicketStatus.IN_PROGRESS });
  tickets.globex = await make.ticket(app, { business: globex, tags: ['globex-tag', 'shared-tag'] });
  tickets.unlinked = await make.ticket(app, { tags: ['unlinked-tag'] });
  await em.nativeUpdate(Ticket, { id: tickets.acme.id }, { creator: agent.user.id, contact: carla.contact.id });
  await make.comment(app, tickets.acme, agent.user, 'Acme public reply', false);
  internalComment = await make.comment(app, tickets.acme, agent.user, SECRET_COMMENT, true);
  await make.comment(app, tickets.globex, agent.user, 'Globex public reply', false);
  em.create(Attachment, { ticket: tickets.acme.id, comment: null, filename: 'public.pdf', contentType: 'application/pdf', sizeBytes: 1 });
  secretAttachment = em.create(Attachment, { ticket: tickets.acme.id, comment: internalComment.id, filename: 'secret.pdf', contentType: 'application/pdf', sizeBytes: 1 });
  await em.flush();

  // Staff move the ticket to wait on the customer, with a reason the customer is not told.
  ok(await app.gql(ChangeTicketStatusDocument, { input: { ticketId: tickets.acme.globalId, status: 'IN_PROGRESS' as never } }, agent.token));
  ok(await app.gql(ChangeTicketStatusDocument, { input: { ticketId: tickets.acme.globalId, status: 'WAITING_ON_CUSTOMER' as never, reason: SECRET_REASON } }, agent.token));
  ok(await app.gql(ResolveTicketDocument, { input: { ticketId: tickets.acmeResolved.globalId, resolutionNotes: SECRET_NOTES } }, agent.token));
  internalReasonEvent = await app.em().findOneOrFail(TicketEvent, { ticket: tickets.acme.id, reason: SECRET_REASON });
  internalEntry = await app.em().findOneOrFail(TicketEvent, { ticket: tickets.acme.id, details: { comment: internalComment.globalId } });
});
afterAll(() => app?.stop());

/** The staff member as a role sees it: the directory's fields, or the public profile (id, name, role). */
function staffAs(who: Who, staff: User = agent.user): MatrixStaffFragment {
  const directory = sees(who).directory;
  return {
    id: staff.globalId,
    name: staff.name,
    role: staff.role as never,
    email: directory ? staff.email : null,
    capacity: directory ? 20 : null,
    availability: directory ? ('AVAILABLE' as never) : null,
    // Tickets assigned in other tests of this file move it; its presence is what is under test.
    openTicketCount: directory ? (expect.any(Number) as unknown as number) : null,
    expertise: directory ? [] : null,
  };
}

describe('queries: tickets, ticket(id), node(id)', () => {
  it.each(WHO)('%s sees the tickets of its scope, and NOT_FOUND for the others', async (who) => {
    const list = await app.gql(MatrixTicketsDocument, {}, tokens[who]);
    const mine = sees(who).tickets.map((name) => tickets[name].globalId);
    if (sees(who).refused) expect(code(list)).toBe(sees(who).refused);
    else expect(ok(list).tickets.nodes.map((t) => t.id)).toEqual(expect.arrayContaining(mine));
    if (!sees(who).refused) {
      const listed = ok(list).tickets.nodes.map((t) => t.id);
      for (const other of EVERY_TICKET.filter((name) => !sees(who).tickets.includes(name))) expect(listed).not.toContain(tickets[other].globalId);
    }
    for (const name of EVERY_TICKET) {
      const one = await app.gql(MatrixTicketDocument, { id: tickets[name].globalId }, tokens[who]);
      const node = await app.gql(MatrixNodeDocument, { id: tickets[name].globalId }, tokens[who]);
      const expected = sees(who).tickets.includes(name) ? undefined : 'NOT_FOUND';
      expect([name, code(one), code(node)]).toEqual([name, expected, expected]);
    }
  });
});

describe('nested fields of a ticket', () => {
  const ticketOf = async (who: Who) => ok(await app.gql(MatrixTicketDocument, { id: tickets.acme.globalId }, tokens[who])).ticket!;
  const acmeReaders = WHO.filter(seesAcme);

  it.each(acmeReaders)('%s: assignee, creator, account manager, comment authors and timeline actors are the directory or a public profile', async (who) => {
    const ticket = await ticketOf(who);
    const staff = staffAs(who);
    expect([ticket.assignee, ticket.creator, ticket.business!.accountManager]).toEqual([staff, staff, staff]);
    for (const comment of ticket.comments.nodes) expect(comment.author).toEqual(staff);
    for (const entry of ticket.history.nodes.filter((e) => e.actor)) expect(entry.actor).toEqual(staff);
    expect(new Set(ticket.history.nodes.map((e) => e.ticket.id))).toEqual(new Set([tickets.acme.globalId]));
  });

  it.each(acmeReaders)('%s: internal comments and attachments only with `internal`', async (who) => {
    const ticket = await ticketOf(who);
    const bodies = ticket.comments.nodes.map((c) => c.body);
    const internal = sees(who).internal;
    expect(bodies).toEqual(internal ? ['Acme public reply', SECRET_COMMENT, SECRET_REASON] : ['Acme public reply']);
    expect(ticket.comments.totalCount).toBe(bodies.length);
    expect(ticket.attachments.map((a) => a.filename)).toEqual(internal ? ['public.pdf', 'secret.pdf'] : ['public.pdf']);
  });

  it.each(acmeReaders)('%s: every status move is on the timeline; an internal reason only with `internal`', async (who) => {
    const ticket = await ticketOf(who);
    const moves = ticket.history.nodes.filter((e) => e.type === 'STATUS_CHANGED').map((e) => [e.toStatus, e.reason, e.isInternal]);
    expect(moves).toEqual([
      ['IN_PROGRESS', null, false],
      ['WAITING_ON_CUSTOMER', sees(who).internal ? SECRET_REASON : null, false],
    ]);
    const notes = ok(await app.gql(MatrixNodeDocument, { id: internalReasonEvent.globalId }, tokens[who])).node;
    expect(notes).toEqual({ id: internalReasonEvent.globalId, reason: sees(who).internal ? SECRET_REASON : null });
  });

  it.each(acmeReaders)('%s: contacts and tags of the ticket', async (who) => {
    const ticket = await ticketOf(who);
    expect(ticket.contact).toEqual({ email: carla.contact.email });
    expect(ticket.business!.contacts).toEqual([{ email: carla.contact.email }]);
    // The shared tag is also on Globex's ticket: a customer's count leaves that one out.
    const shared = sees(who).tickets.includes('globex') ? 2 : 1;
    expect(ticket.tags).toEqual([
      { name: 'acme-tag', usageCount: 1 },
      { name: 'shared-tag', usageCount: shared },
    ]);
  });

  it.each(WHO.filter((who) => !sees(who).internal && sees(who).tickets.length > 0))('%s: no path shows internal resolution notes', async (who) => {
    if (!seesAcme(who)) return;
    const resolved = ok(await app.gql(MatrixTicketDocument, { id: tickets.acmeResolved.globalId }, tokens[who])).ticket!;
    expect(resolved.resolutionNotes).toBeNull();
    expect(JSON.stringify(resolved)).not.toContain(SECRET_NOTES);
  });

  it('staff read internal resolution notes', async () => {
    const resolved = ok(await app.gql(MatrixTicketDocument, { id: tickets.acmeResolved.globalId }, agent.token)).ticket!;
    expect(resolved.resolutionNotes).toBe(SECRET_NOTES);
  });
});

describe('node(id) of rows that hang off tickets, and of users and tags', () => {
  it.each(WHO)('%s', async (who) => {
    const node = (id: string) => app.gql(MatrixNodeDocument, { id }, tokens[who]);
    const internal = seesAcme(who) && sees(who).internal;
    expect(code(await node(internalComment.globalId))).toBe(internal ? undefined : 'NOT_FOUND');
    expect(code(await node(secretAttachment.globalId))).toBe(internal ? undefined : 'NOT_FOUND');
    expect(code(await node(internalEntry.globalId))).toBe(internal ? undefined : 'NOT_FOUND');
    expect(code(await node(agent.user.globalId))).toBe(sees(who).directory ? undefined : 'NOT_FOUND');
    const globexTag = await app.em().findOneOrFail(Tag, { name: 'globex-tag' });
    expect(code(await node(globexTag.globalId))).toBe(sees(who).tickets.includes('globex') ? undefined : 'NOT_FOUND');
  });
});

describe('businesses, contacts, tags, users, me', () => {
  it.each(WHO)('%s: business(id), Business.contacts and Business.tickets', async (who) => {
    for (const [business, name, contact] of [
      [acme, 'acme', carla],
      [globex, 'globex', gus],
    ] as const) {
      const res = await app.gql(MatrixBusinessDocument, { id: business.globalId }, tokens[who]);
      if (!sees(who).tickets.includes(name)) {
        expect([name, code(res)]).toEqual([name, 'NOT_FOUND']);
        continue;
      }
      expect(ok(res).business!.contacts).toEqual([{ email: contact.contact.email }]);
    }
    const all = await app.gql(MatrixBusinessesDocument, {}, tokens[who]);
    if (sees(who).refused) expect(code(all)).toBe(sees(who).refused);
    else if (!sees(who).tickets.includes('unlinked')) expect(ok(all).businesses.totalCount).toBe(1);
  });

  it.each(WHO)('%s: tags and their counts over the tickets it sees', async (who) => {
    const res = await app.gql(MatrixTagsDocument, {}, tokens[who]);
    if (sees(who).refused) return expect(code(res)).toBe(sees(who).refused);
    const tags = Object.fromEntries(ok(res).tags.map((t) => [t.name, t.usageCount]));
    const scope = sees(who).tickets;
    const expected: Record<string, number> = {};
    if (scope.includes('acme')) Object.assign(expected, { 'acme-tag': 1, 'shared-tag': 1 });
    if (scope.includes('globex')) Object.assign(expected, { 'globex-tag': 1, 'shared-tag': (expected['shared-tag'] ?? 0) + 1 });
    if (scope.includes('unlinked')) Object.assign(expected, { 'unlinked-tag': 1 });
    if (scope.length === EVERY_TICKET.length) expect(tags).toMatchObject(expected);
    else expect(tags).toEqual(expected);
  });

  it.each(WHO)('%s: the staff directory (users) and its own account (me)', async (who) => {
    const users = await app.gql(MatrixUsersDocument, {}, tokens[who]);
    if (sees(who).directory) expect(ok(users).users.map((u) => u.email)).toContain(agent.user.email);
    else expect(code(users)).toBe(who === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN');
    const me = ok(await app.gql(MatrixMeDocument, {}, tokens[who])).me;
    const own = { 'customer of A': carla.contact.email, 'customer of B': gus.contact.email, agent: agent.user.email, admin: admin.user.email } as Partial<Record<Who, string>>;
    expect(me?.email ?? null).toBe(own[who] ?? null);
  });
});

describe('mutation payloads: nested reads follow the read rules, whoever wrote', () => {
  const creators = ['agent', 'key TICKETS_WRITE', 'key MONITORING'] as const satisfies readonly Who[];

  it.each(creators)('%s: createTicket { ticket { business { contacts } contact assignee comments history } }', async (who) => {
    const res = await app.gql(
      MatrixCreateTicketDocument,
      { input: { title: 'Disk full', description: 'On host db-1.', businessId: acme.globalId, contactId: carla.contact.globalId, assigneeId: agent.user.globalId, tags: ['disk'] } },
      tokens[who],
    );
    const ticket = ok(res).createTicket.ticket;
    // The ticket it created: its own fields; what hangs off it only with the right to read tickets.
    expect(ticket.status).toBe('OPEN');
    const reads = sees(who).tickets.length > 0;
    expect(ticket.business).toEqual(reads ? { id: acme.globalId, contacts: [{ email: carla.contact.email }] } : null);
    expect(ticket.contact).toEqual(reads ? { email: carla.contact.email } : null);
    expect(ticket.assignee).toEqual({ name: agent.user.name, email: sees(who).directory ? agent.user.email : null });
    expect([ticket.comments.totalCount, ticket.history.totalCount > 0, ticket.tags]).toEqual([0, reads, reads ? [{ name: 'disk' }] : []]);
  });

  it('a MONITORING key whose alert fires again on a rated ticket does not read the rating', async () => {
    const first = ok(await app.gql(MatrixCreateTicketDocument, { input: { title: 'CPU hot', description: 'host-7', dedupKey: 'cpu-hot-7' } }, tokens['key MONITORING']));
    const em = app.em();
    const alert = await em.findOneOrFail(Ticket, { number: first.createTicket.ticket.number });
    alert.status = TicketStatus.RESOLVED;
    em.create(SatisfactionRating, { ticket: alert, score: 1, comment: 'Awful' });
    await em.flush();
    const again = (by: Who) => app.gql(MatrixCreateTicketDocument, { input: { title: 'CPU hot', description: 'host-7', dedupKey: 'cpu-hot-7' } }, tokens[by]);
    const repeated = ok(await again('key MONITORING')).createTicket.ticket;
    expect([repeated.number, repeated.satisfaction]).toEqual([first.createTicket.ticket.number, null]);
  });

  it('a key with TICKETS_WRITE only creates a contact but reads neither its business nor the business’s other contacts', async () => {
    const input = { businessId: acme.globalId, name: 'New Person', email: 'new.person@acme.example' };
    const res = await app.gql(MatrixCreateContactDocument, { input }, tokens['key TICKETS_WRITE']);
    expect([res.data, code(res)]).toEqual([null, 'NOT_FOUND']);
    expect(JSON.stringify(res)).not.toContain(carla.contact.email);
    const staff = ok(await app.gql(MatrixCreateContactDocument, { input: { ...input, email: 'other.person@acme.example' } }, agent.token));
    expect(staff.createContact.business.contacts.map((c) => c.email)).toContain(carla.contact.email);
  });

  it('a customer’s addComment payload shows staff by name only', async () => {
    const res = ok(await app.gql(MatrixAddCommentDocument, { input: { ticketId: tickets.acme.globalId, body: 'Here is the document.' } }, carla.token));
    expect(res.addComment).toEqual({
      comment: { body: 'Here is the document.', author: null },
      ticket: { assignee: { name: agent.user.name, email: null } },
    });
  });
});

describe('subscriptions: live and replayed, under the same rules', () => {
  interface Received {
    status: Subscription<{ ticketStatusChanged: { ticket: { id: string }; to: string; reason: string | null; actor: { name: string; email: string | null } | null } }>;
    comments: Subscription<{ commentAdded: { body: string; author: { name: string; email: string | null } | null } }>;
    events: Subscription<{ ticketEvents: { id: string; type: string; toStatus: string | null; reason: string | null; isInternal: boolean; ticket: { id: string } } }>;
  }

  it('every role receives what it may see of a move with an internal reason, comments and the replayed data set', async () => {
    const clients = Object.fromEntries(WHO.map((who) => [who, wsClient(app.url, tokens[who])]));
    const replayClients = Object.fromEntries(WHO.map((who) => [who, wsClient(app.url, tokens[who])]));
    const received = {} as Record<Who, Received>;
    const replayed = {} as Record<Who, Received['events']>;
    try {
      for (const who of WHO) {
        received[who] = {
          status: subscribe(clients[who], MatrixStatusChangedDocument, {}),
          comments: subscribe(clients[who], MatrixCommentAddedDocument, {}),
          events: subscribe(clients[who], MatrixTicketEventsDocument, {}),
        };
        replayed[who] = subscribe(replayClients[who], MatrixTicketEventsDocument, { since: beforeDataSet });
      }
      // Roles that read tickets can hear a warm-up comment; the others subscribed before them on the same server.
      const warmUp = await make.ticket(app, { business: acme });
      for (const who of WHO.filter(seesAcme)) {
        await untilLive(subscribe(clients[who], MatrixCommentAddedDocument, {}), () =>
          app.gql(AddCommentDocument, { input: { ticketId: warmUp.globalId, body: 'ping' } }, agent.token),
        );
      }
      const [last] = await app.em().find(TicketEvent, {}, { orderBy: { position: 'desc' }, limit: 1 });

      const live = await make.ticket(app, { business: acme, assignee: agent.user, status: TicketStatus.IN_PROGRESS });
      ok(await app.gql(ChangeTicketStatusDocument, { input: { ticketId: live.globalId, status: 'WAITING_ON_CUSTOMER' as never, reason: LIVE_REASON } }, agent.token));
      ok(await app.gql(AddCommentDocument, { input: { ticketId: tickets.globex.globalId, body: 'Globex live reply' } }, agent.token));
      ok(await app.gql(AddCommentDocument, { input: { ticketId: live.globalId, body: 'Acme live reply' } }, agent.token));
      const liveEntries = await app.em().find(TicketEvent, { position: { $gt: last.position } }, { orderBy: { position: 'asc' }, populate: ['ticket'] });

      const expectedLive = (who: Who) =>
        liveEntries.filter((e) => (e.ticket.id === live.id ? seesAcme(who) : sees(who).tickets.includes('globex')) && (sees(who).internal || !e.isInternal));
      // Wait for everything each role must hear, on each stream, by arrival (under load the streams
      // arrive seconds apart); the pause after it only gives what must not arrive a chance to show.
      const moveOf = (who: Who) => received[who].status.received.filter((r) => r.data!.ticketStatusChanged.ticket.id === live.globalId);
      const commentsOf = (who: Who) => received[who].comments.received.filter((r) => r.data!.commentAdded.body !== 'ping');
      for (const who of WHO) {
        const count = expectedLive(who).length;
        if (count > 0) await received[who].events.waitFor(count);
        if (seesAcme(who)) await receivedUntil(received[who].status, () => moveOf(who).length > 0);
        const comments = (seesAcme(who) ? 1 : 0) + (seesAcme(who) && sees(who).internal ? 1 : 0) + (sees(who).tickets.includes('globex') ? 1 : 0);
        await receivedUntil(received[who].comments, () => commentsOf(who).length >= comments);
      }
      await sleep(300);

      for (const who of WHO) {
        const ids = new Set(liveEntries.map((e) => e.globalId));
        const events = received[who].events.received.map((r) => r.data!.ticketEvents).filter((e) => ids.has(e.id));
        expect([who, events.map((e) => [e.id, e.ticket.id])]).toEqual([who, expectedLive(who).map((e) => [e.globalId, e.ticket.globalId])]);
        expect([who, events.filter((e) => e.type === 'STATUS_CHANGED').map((e) => e.reason)]).toEqual([
          who,
          seesAcme(who) ? [sees(who).internal ? LIVE_REASON : null] : [],
        ]);

        const moves = received[who].status.received.map((r) => r.data!.ticketStatusChanged).filter((m) => m.ticket.id === live.globalId);
        expect([who, moves]).toEqual([
          who,
          seesAcme(who)
            ? [{ ticket: { id: live.globalId }, to: 'WAITING_ON_CUSTOMER', reason: sees(who).internal ? LIVE_REASON : null, actor: { name: agent.user.name, email: sees(who).directory ? agent.user.email : null } }]
            : [],
        ]);

        const comments = received[who].comments.received.map((r) => r.data!.commentAdded).filter((c) => c.body !== 'ping');
        const bodies = [
          ...(seesAcme(who) && sees(who).internal ? [LIVE_REASON] : []),
          ...(sees(who).tickets.includes('globex') ? ['Globex live reply'] : []),
          ...(seesAcme(who) ? ['Acme live reply'] : []),
        ];
        expect([who, comments.map((c) => c.body)]).toEqual([who, bodies]);
        for (const comment of comments) expect(comment.author).toEqual({ name: agent.user.name, email: sees(who).directory ? agent.user.email : null });
      }

      // Replay from before the data set: the same rule in the SQL.
      const dataSet = new Set(Object.values(tickets).map((t) => t.id));
      const replayable = await app.em().find(TicketEvent, { ticket: { $in: [...dataSet] } }, { orderBy: { position: 'asc' }, populate: ['ticket'] });
      const names = new Map(Object.entries(tickets).map(([name, t]) => [t.id, name === 'acmeResolved' ? 'acme' : name]));
      const expectedReplay = (who: Who) =>
        replayable.filter((e) => sees(who).tickets.includes(names.get(e.ticket.id) as never) && (sees(who).internal || !e.isInternal));
      for (const who of WHO) {
        const count = expectedReplay(who).length;
        if (count > 0) await replayed[who].waitFor(count);
      }
      await sleep(300);
      for (const who of WHO) {
        const ids = new Set(replayable.map((e) => e.globalId));
        const events = replayed[who].received.map((r) => r.data!.ticketEvents).filter((e) => ids.has(e.id));
        expect([who, events.map((e) => [e.id, e.ticket.id])]).toEqual([who, expectedReplay(who).map((e) => [e.globalId, e.ticket.globalId])]);
        const reasons = events.filter((e) => e.type === 'STATUS_CHANGED' && e.toStatus === 'WAITING_ON_CUSTOMER').map((e) => e.reason);
        expect([who, reasons]).toEqual([who, seesAcme(who) ? [sees(who).internal ? SECRET_REASON : null] : []]);
        if (!sees(who).internal) expect(JSON.stringify(events)).not.toMatch(/walrus|heron|otter/);
      }
    } finally {
      for (const client of [...Object.values(clients), ...Object.values(replayClients)]) await client.dispose();
    }
  });
});

describe('subscriptions shared by customers of one business', () => {
  it("a contact's own mail status reaches that contact only, not a colleague on the same subscription", async () => {
    const colleague = await make.customer(app, acme);
    const ticket = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    await app.em().nativeUpdate(Ticket, { id: ticket.id }, { contact: carla.contact.id });
    app.em().create(MailRecipient, { email: carla.contact.email, unsubscribeToken: 'matrix-unsubscribe-token', bouncedAt: new Date(), bounceReason: '550 mailbox full' });
    await app.em().flush();
    const clients = [wsClient(app.url, carla.token), wsClient(app.url, colleague.token)];
    try {
      const [own, theirs] = clients.map((client) => subscribe(client, MatrixContactMailStatusDocument, { ticketId: ticket.globalId }));
      // Live once a comment on the same ticket, asked for after it on the same socket, is heard.
      for (const client of clients) {
        await untilLive(subscribe(client, MatrixCommentAddedDocument, {}), () => app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'ping' } }, agent.token));
      }
      ok(await app.gql(ChangeTicketStatusDocument, { input: { ticketId: ticket.globalId, status: 'WAITING_ON_CUSTOMER' as never, reason: 'Which browser?' } }, agent.token));
      const [[mine], [colleagues]] = await Promise.all([own.waitFor(1), theirs.waitFor(1)]);
      expect(mine.data!.ticketStatusChanged.ticket.contact).toEqual({ email: carla.contact.email, mailStatus: { email: carla.contact.email } });
      expect(colleagues.data!.ticketStatusChanged.ticket.contact).toEqual({ email: carla.contact.email, mailStatus: null });
    } finally {
      for (const client of clients) await client.dispose();
    }
  });
});

describe('Migration20261206020000_visible_moves on entries written before it', () => {
  it('makes an old internal move visible, keeps its reason (and resolution notes) internal, and leaves other internal entries alone', async () => {
    const em = app.em();
    const old = await make.ticket(app, { business: acme, status: TicketStatus.RESOLVED });
    // As the code before the migration wrote them: the whole move internal, the notes unflagged.
    await em.execute(
      `insert into ticket_event (id, created_at, ticket_id, type, from_status, to_status, reason, is_internal, details)
       values (gen_random_uuid(), now(), ?, 'STATUS_CHANGED', 'IN_PROGRESS', 'RESOLVED', 'Old secret notes', true, '{}'),
              (gen_random_uuid(), now(), ?, 'DUE_DATE_CHANGED', null, null, 'Old due reason', true, '{}')`,
      [old.id, old.id],
    );
    await em.execute(`update ticket set resolution_notes = 'Old secret notes' where id = ?`, [old.id]);
    const migration = new Migration20261206020000_visible_moves(em.getDriver(), app.app.database.orm.config);
    await migration.up();
    // The columns exist already (the test database is migrated): run the backfill alone.
    for (const query of migration.getQueries().map(String).filter((q) => q.trim().startsWith('update'))) await em.execute(query);

    const rows = await em.execute(`select type, is_internal, reason_internal from ticket_event where ticket_id = ? and reason is not null order by type`, [old.id]);
    expect(rows).toEqual([
      { type: 'DUE_DATE_CHANGED', is_internal: true, reason_internal: false },
      { type: 'STATUS_CHANGED', is_internal: false, reason_internal: true },
    ]);
    const seen = ok(await app.gql(MatrixTicketDocument, { id: old.globalId }, carla.token)).ticket!;
    expect([seen.resolutionNotes, seen.history.nodes.filter((e) => e.type === 'STATUS_CHANGED').map((e) => e.reason)]).toEqual([null, [null]]);
  });
});

describe('access taken back: a revoked key, a deactivated agent or customer', () => {
  /** Sends an operation over HTTP as `app.gql` does, keeping the status code, which `app.gql` drops. */
  /** A typed operation over HTTP, keeping the status (postQuery's answer). */
  async function post<T, V>(document: TypedDocumentNode<T, V>, variables: V, token: string) {
    const { status, body } = await postQuery(app.url, print(document), { variables: variables as Record<string, unknown>, token });
    return { status, body: body as GraphQLResponse<T> };
  }

  /** Every path of the matrix to `ticket` and `business`, and a mutation on the ticket. */
  const pathsTo = (ticket: Ticket, business: Business): Record<string, (token: string) => ReturnType<typeof post>> => ({
    tickets: (token) => post(MatrixTicketsDocument, {}, token),
    ticket: (token) => post(MatrixTicketDocument, { id: ticket.globalId }, token),
    node: (token) => post(MatrixNodeDocument, { id: ticket.globalId }, token),
    business: (token) => post(MatrixBusinessDocument, { id: business.globalId }, token),
    businesses: (token) => post(MatrixBusinessesDocument, {}, token),
    tags: (token) => post(MatrixTagsDocument, {}, token),
    users: (token) => post(MatrixUsersDocument, {}, token),
    me: (token) => post(MatrixMeDocument, {}, token),
    addComment: (token) => post(MatrixAddCommentDocument, { input: { ticketId: ticket.globalId, body: 'Any news?' } }, token),
  });

  /** `promise`'s value, or null if it takes longer than `ms`. */
  async function within<T>(promise: Promise<T>, ms: number): Promise<T | null> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([promise, new Promise<null>((resolve) => (timer = setTimeout(resolve, ms, null)))]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves with the close code of the client's socket, and when it came. */
  const closeOf = (client: Client) =>
    new Promise<{ code: number }>((resolve) => client.on('closed', (event) => resolve({ code: (event as { code: number }).code })));

  /** A fresh credential (the data set's own stay live for the rest of the file) and how an admin takes it back. */
  const TAKEN_BACK: Record<string, (business: Business) => Promise<{ token: string; takeBack: () => Promise<unknown> }>> = {
    'a revoked key with TICKETS_READ+COMMENTS_INTERNAL': async () => {
      const token = await make.apiKey(app, admin.user, KEYS['key TICKETS_READ+COMMENTS_INTERNAL']);
      const key = await app.em().findOneOrFail(ApiKey, { keyHash: hashApiKey(token) });
      return { token, takeBack: async () => ok(await app.gql(RevokeApiKeyDocument, { input: { apiKeyId: key.globalId } }, admin.token)) };
    },
    'a deactivated agent': async () => {
      const staff = await make.staffUser(app);
      return { token: staff.token, takeBack: async () => ok(await app.gql(DeactivateUserDocument, { input: { userId: staff.user.globalId } }, admin.token)) };
    },
    'a deactivated customer contact': async (business) => {
      const customer = await make.customer(app, business);
      return {
        token: customer.token,
        takeBack: async () => ok(await app.gql(DeactivateUserDocument, { input: { contactId: customer.contact.globalId } }, admin.token)),
      };
    },
  };

  it.each(Object.keys(TAKEN_BACK))(
    '%s: every path answers UNAUTHENTICATED (401) and shows nothing; its open subscription closes (4403) and hears no more; a new socket is refused',
    async (name) => {
      const business = await make.business(app, { name: 'Initech (ibis-4410)' });
      const ticket = await make.ticket(app, { business, title: 'Printer on fire (ibis-4410)' });
      const { token, takeBack } = await TAKEN_BACK[name](business);
      const paths = pathsTo(ticket, business);

      // The control: until it is taken back, the credential is accepted on every path and reads the ticket.
      for (const [path, run] of Object.entries(paths)) {
        const { status, body } = await run(token);
        expect({ path, refused: status === 401 || code(body) === 'UNAUTHENTICATED' }).toEqual({ path, refused: false });
      }
      expect(ok((await post(MatrixTicketDocument, { id: ticket.globalId }, token)).body).ticket!.id).toBe(ticket.globalId);

      const client = wsClient(app.url, token);
      const closed = closeOf(client);
      try {
        const comments = subscribe(client, MatrixCommentAddedDocument, {});
        await untilLive(subscribe(client, MatrixCommentAddedDocument, {}), () =>
          app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'ping' } }, agent.token),
        );

        await takeBack();
        // Nothing else closes this socket before its token runs out (days away): a 4403 at all shows the
        // revocation reached it. The wait is generous because a loaded machine delays it, not the app.
        const close = await within(closed, 30_000);
        expect(close?.code).toBe(4403);
        ok(await app.gql(AddCommentDocument, { input: { ticketId: ticket.globalId, body: 'After the close' } }, agent.token));
        await sleep(300);
        expect(comments.received.map((r) => r.data?.commentAdded.body)).not.toContain('After the close');
      } finally {
        await client.dispose();
      }

      const written = await app.em().count(Comment, { ticket: ticket.id });
      for (const [path, run] of Object.entries(paths)) {
        const { status, body } = await run(token);
        expect({ path, status, code: code(body), errors: body.errors?.length, data: body.data ?? null }).toEqual({
          path,
          status: 401,
          code: 'UNAUTHENTICATED',
          errors: 1,
          data: null,
        });
        expect(JSON.stringify(body)).not.toMatch(new RegExp(`ibis-4410|${ticket.globalId}|${business.globalId}|${agent.user.email}`));
      }
      expect(await app.em().count(Comment, { ticket: ticket.id })).toBe(written);

      const again = wsClient(app.url, token);
      const refused = closeOf(again);
      const attempt = subscribe(again, MatrixCommentAddedDocument, {});
      try {
        expect((await within(refused, 30_000))?.code).toBe(4403);
        expect(attempt.received).toEqual([]);
      } finally {
        await again.dispose();
      }
    },
  );
});
