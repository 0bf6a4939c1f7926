import { v7 as uuidv7 } from 'uuid';
import { Role as StaffRole } from '../../src/modules/users/user.enums';
import { toGlobalId } from '../../src/shared/global-id';
import {
  AssignTicketDocument,
  BusinessesDocument,
  CreateContactDocument,
  CreateTicketDocument,
  CreateUserDocument,
  LinkTicketDocument,
  OrderDirection,
  Role,
  SetTicketTagsDocument,
  SubmitTicketDocument,
  TicketDocument,
  TicketOrderField,
  TicketPriority,
  TicketsDocument,
  UpdateTicketDocument,
  ValidationTicketHistoryPageDocument,
  ValidationTicketTimelineDocument,
  type CreateTicketInput,
} from '../__generated__/graphql';
import * as make from '../factories';
import { startTestApp, type GraphQLResponse, type TestApp } from '../setup/test-app';
import { writesNothing as checkWritesNothing } from '../setup/writes-nothing';

let app: TestApp;
let admin: make.Staff;
let agent: make.Staff;
let otherAgent: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let globex: Awaited<ReturnType<typeof make.business>>;
let acmeContact: make.Customer;
let globexContact: make.Customer;

beforeAll(async () => {
  app = await startTestApp();
  admin = await make.staffUser(app, StaffRole.ADMIN, 'Ada Admin');
  agent = await make.staffUser(app, undefined, 'Alice Agent');
  otherAgent = await make.staffUser(app, undefined, 'Bob Agent');
  acme = await make.business(app, { name: 'Acme' });
  globex = await make.business(app, { name: 'Globex' });
  acmeContact = await make.customer(app, acme);
  globexContact = await make.customer(app, globex);
  // Something to page through, so the list queries have cursors to hand out.
  for (let i = 0; i < 3; i += 1) await make.ticket(app, { business: acme });
});
afterAll(() => app.stop());

/** An id of the right shape and type that names no row. */
const nothing = (type: string) => toGlobalId(type, uuidv7());

const TABLES = ['ticket', 'ticket_event', 'tag', 'ticket_tag', 'comment', 'business', 'contact', 'app_user', 'api_key'];

/** Runs `work` and checks that no row of TABLES changed in any way. */
const writesNothing = <T>(work: () => Promise<T>) => checkWritesNothing(app, TABLES, work);

/** No stack, no SQL, no driver detail, in any error of a response. */
function expectNoLeak(res: GraphQLResponse<unknown>) {
  for (const error of res.errors ?? []) {
    expect(error.extensions ?? {}).not.toHaveProperty('stacktrace');
    expect(error.extensions ?? {}).not.toHaveProperty('exception');
    expect(error.message).not.toMatch(/\bselect\b|\binsert\b|constraint|duplicate key|relation "|\.ts:\d+/i);
  }
  expect(JSON.stringify(res)).not.toMatch(/stacktrace|node_modules|at .*\(.*:\d+:\d+\)/);
}

/** Exactly one error, with this code (and this field when given). */
function expectError(res: GraphQLResponse<unknown>, code: string, field?: string) {
  expectNoLeak(res);
  expect(res.errors).toHaveLength(1);
  const [error] = res.errors!;
  expect(error.extensions?.code).toBe(code);
  if (field !== undefined) expect(error.extensions?.field).toBe(field);
  return error;
}

/** A request the typed documents cannot express (wrong variable types). */
async function post(body: { query: string; variables?: Record<string, unknown> }, token?: string) {
  const response = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as GraphQLResponse<Record<string, unknown>> };
}

async function timeline(ticketId: string) {
  const res = await app.gql(ValidationTicketTimelineDocument, { id: ticketId }, agent.token);
  expect(res.errors).toBeUndefined();
  return res.data!.ticket!;
}

const NEW_TAG = 'validation-brand-new-tag';

describe('createTicket refuses bad input and writes nothing', () => {
  const valid = (): CreateTicketInput => ({ title: 'Printer jam', description: 'It jams.', tags: [NEW_TAG] });

  const cases: [string, () => Partial<CreateTicketInput>, string][] = [
    ['an empty title', () => ({ title: '   ' }), 'title'],
    ['a title of 201 characters', () => ({ title: 'x'.repeat(201) }), 'title'],
    ['an empty description', () => ({ description: '' }), 'description'],
    ['a description of 20001 characters', () => ({ description: 'x'.repeat(20_001) }), 'description'],
    ['a businessId naming nothing', () => ({ businessId: nothing('Business') }), 'businessId'],
    ['a contactId naming nothing', () => ({ contactId: nothing('Contact') }), 'contactId'],
    ['an assigneeId naming nothing', () => ({ assigneeId: nothing('User') }), 'assigneeId'],
    ['a Ticket id as businessId', () => ({ businessId: nothing('Ticket') }), 'businessId'],
    ['an existing Business id as contactId', () => ({ contactId: acme.globalId }), 'contactId'],
    ['an existing Contact id as assigneeId', () => ({ assigneeId: acmeContact.contact.globalId }), 'assigneeId'],
    ['a forged businessId', () => ({ businessId: 'garbage' }), 'businessId'],
    ['a contact of another business', () => ({ businessId: acme.globalId, contactId: globexContact.contact.globalId }), 'contactId'],
    ['21 tags', () => ({ tags: Array.from({ length: 21 }, (_, i) => `tag-${i}`) }), 'tags'],
    ['a tag of 51 characters', () => ({ tags: ['t'.repeat(51)] }), 'tags'],
    ['an empty tag', () => ({ tags: [NEW_TAG, ' '] }), 'tags'],
    ['a bad submitterEmail', () => ({ submitterEmail: 'not-an-email' }), 'submitterEmail'],
  ];

  it.each(cases)('%s → BAD_USER_INPUT on the field', async (_what, change, field) => {
    const res = await writesNothing(() => app.gql(CreateTicketDocument, { input: { ...valid(), ...change() } }, agent.token));
    expectError(res, 'BAD_USER_INPUT', field);
    expect(res.data).toBeNull();
  });

  it('accepts the largest allowed values (200-character title, 20000-character description, 20 tags of 50 characters)', async () => {
    const tags = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${'t'.repeat(48)}`);
    const res = await app.gql(
      CreateTicketDocument,
      { input: { title: 'x'.repeat(200), description: 'y'.repeat(20_000), tags: [...tags, tags[0].toUpperCase()] } },
      agent.token,
    );
    expect(res.errors).toBeUndefined();
    const ticket = res.data!.createTicket.ticket;
    expect(ticket.title).toHaveLength(200);
    expect(ticket.description).toHaveLength(20_000);
    expect(ticket.tags.map((t) => t.name)).toEqual(tags);
  });
});

describe('submitTicket (public) refuses bad input and writes nothing', () => {
  const valid = { title: 'Help', description: 'Please help.', name: 'Jane Doe', email: 'jane@example.com' };
  const cases: [string, Partial<typeof valid>, string][] = [
    ['an empty title', { title: '' }, 'title'],
    ['a title of 201 characters', { title: 'x'.repeat(201) }, 'title'],
    ['an empty description', { description: ' \n ' }, 'description'],
    ['a description of 20001 characters', { description: 'x'.repeat(20_001) }, 'description'],
    ['a bad email', { email: 'jane' }, 'email'],
    ['an email without a domain dot', { email: 'jane@example' }, 'email'],
    ['an email with a space', { email: 'jane doe@example.com' }, 'email'],
    ['an empty name', { name: '' }, 'name'],
  ];

  it.each(cases)('%s → BAD_USER_INPUT on the field', async (_what, change, field) => {
    const res = await writesNothing(() => app.gql(SubmitTicketDocument, { input: { ...valid, ...change } }));
    expectError(res, 'BAD_USER_INPUT', field);
    expect(res.data).toBeNull();
  });
});

describe('createContact and createUser refuse bad input and write nothing', () => {
  it('createContact: a bad email → BAD_USER_INPUT on email', async () => {
    const res = await writesNothing(() =>
      app.gql(CreateContactDocument, { input: { businessId: acme.globalId, name: 'Carl', email: 'carl@' } }, agent.token),
    );
    expectError(res, 'BAD_USER_INPUT', 'email');
    expect(res.data).toBeNull();
  });

  it('createContact: a duplicate email (any case) → BAD_USER_INPUT on email', async () => {
    const res = await writesNothing(() =>
      app.gql(
        CreateContactDocument,
        { input: { businessId: globex.globalId, name: 'Copy', email: acmeContact.contact.email.toUpperCase() } },
        agent.token,
      ),
    );
    expectError(res, 'BAD_USER_INPUT', 'email');
    expect(res.data).toBeNull();
  });

  it('createContact: a businessId naming nothing, or of another type → BAD_USER_INPUT on businessId', async () => {
    for (const businessId of [nothing('Business'), nothing('Ticket'), 'garbage']) {
      const res = await writesNothing(() =>
        app.gql(CreateContactDocument, { input: { businessId, name: 'Carl', email: `carl-${uuidv7()}@acme.example` } }, agent.token),
      );
      expectError(res, 'BAD_USER_INPUT', 'businessId');
    }
  });

  it('createUser: a bad email → BAD_USER_INPUT on email', async () => {
    const res = await writesNothing(() =>
      app.gql(CreateUserDocument, { input: { name: 'Neo', email: 'neo at example.com', password: 'long-password-1', role: Role.AGENT } }, admin.token),
    );
    expectError(res, 'BAD_USER_INPUT', 'email');
    expect(res.data).toBeNull();
  });

  it('createUser: a duplicate email (any case) → BAD_USER_INPUT on email', async () => {
    const res = await writesNothing(() =>
      app.gql(
        CreateUserDocument,
        { input: { name: 'Twin', email: ` ${agent.user.email.toUpperCase()} `, password: 'long-password-1', role: Role.AGENT } },
        admin.token,
      ),
    );
    expectError(res, 'BAD_USER_INPUT', 'email');
    expect(res.data).toBeNull();
  });

  it('createUser: a short password → BAD_USER_INPUT on password; role CUSTOMER → BAD_USER_INPUT on role', async () => {
    const short = await writesNothing(() =>
      app.gql(CreateUserDocument, { input: { name: 'Neo', email: 'neo@example.com', password: 'short', role: Role.AGENT } }, admin.token),
    );
    expectError(short, 'BAD_USER_INPUT', 'password');
    const customer = await writesNothing(() =>
      app.gql(CreateUserDocument, { input: { name: 'Neo', email: 'neo@example.com', password: 'long-password-1', role: Role.CUSTOMER } }, admin.token),
    );
    expectError(customer, 'BAD_USER_INPUT', 'role');
  });
});

describe('ticket ids', () => {
  it('an unknown ticketId → NOT_FOUND from every ticket mutation, and nothing is written', async () => {
    const ticketId = nothing('Ticket');
    const responses = [
      await writesNothing(() => app.gql(UpdateTicketDocument, { input: { ticketId, title: 'New' } }, agent.token)),
      await writesNothing(() => app.gql(AssignTicketDocument, { input: { ticketId, assigneeId: agent.user.globalId } }, agent.token)),
      await writesNothing(() => app.gql(SetTicketTagsDocument, { input: { ticketId, tags: [NEW_TAG] } }, agent.token)),
      await writesNothing(() => app.gql(LinkTicketDocument, { input: { ticketId, businessId: acme.globalId } }, agent.token)),
    ];
    for (const res of responses) {
      expectError(res, 'NOT_FOUND');
      expect(res.data).toBeNull();
    }
  });

  it('an unknown id in ticket(id:) → NOT_FOUND and a null ticket', async () => {
    const res = await app.gql(TicketDocument, { id: nothing('Ticket') }, agent.token);
    expectError(res, 'NOT_FOUND');
    expect(res.data).toEqual({ ticket: null });
  });

  it('a forged ticketId, or an id of another type → BAD_USER_INPUT on ticketId', async () => {
    for (const ticketId of ['garbage', acme.globalId]) {
      const res = await writesNothing(() => app.gql(UpdateTicketDocument, { input: { ticketId, title: 'New' } }, agent.token));
      expectError(res, 'BAD_USER_INPUT', 'ticketId');
    }
  });
});

describe('assignTicket and linkTicketToBusiness refuse ids that name nothing, or the wrong thing', () => {
  it.each([
    ['an assigneeId naming nothing', () => nothing('User')],
    ['a Business id as assigneeId', () => acme.globalId],
    ['a Contact id as assigneeId', () => acmeContact.contact.globalId],
  ])('assignTicket: %s → BAD_USER_INPUT on assigneeId', async (_what, assigneeId) => {
    const ticket = await make.ticket(app, { business: acme });
    const res = await writesNothing(() => app.gql(AssignTicketDocument, { input: { ticketId: ticket.globalId, assigneeId: assigneeId() } }, agent.token));
    expectError(res, 'BAD_USER_INPUT', 'assigneeId');
    expect(res.data).toBeNull();
  });

  it.each([
    ['a businessId naming nothing', () => ({ businessId: nothing('Business') }), 'businessId'],
    ['a Ticket id as businessId', () => ({ businessId: nothing('Ticket') }), 'businessId'],
    ['a contactId naming nothing', () => ({ businessId: acme.globalId, contactId: nothing('Contact') }), 'contactId'],
    ['a contact of another business', () => ({ businessId: acme.globalId, contactId: globexContact.contact.globalId }), 'contactId'],
  ])('linkTicketToBusiness: %s → BAD_USER_INPUT on the field', async (_what, ids, field) => {
    const ticket = await make.ticket(app);
    const res = await writesNothing(() => app.gql(LinkTicketDocument, { input: { ticketId: ticket.globalId, ...ids() } }, agent.token));
    expectError(res, 'BAD_USER_INPUT', field);
    expect(res.data).toBeNull();
  });
});

describe('paging arguments', () => {
  it('tickets(after: "garbage") → BAD_USER_INPUT on after', async () => {
    const res = await app.gql(TicketsDocument, { after: 'garbage' }, agent.token);
    expectError(res, 'BAD_USER_INPUT', 'after');
    expect(res.data).toBeNull();
  });

  it('a cursor of another ordering → BAD_USER_INPUT on after', async () => {
    const page = await app.gql(TicketsDocument, { first: 1 }, agent.token);
    expect(page.errors).toBeUndefined();
    const cursor = page.data!.tickets.pageInfo.endCursor!;
    expect(cursor).toEqual(expect.any(String));
    // The same cursor is fine with the ordering that issued it...
    const same = await app.gql(
      TicketsDocument,
      { first: 1, after: cursor, orderBy: { field: TicketOrderField.CREATED_AT, direction: OrderDirection.DESC } },
      agent.token,
    );
    expect(same.errors).toBeUndefined();
    expect(same.data!.tickets.nodes).toHaveLength(1);
    // ...and refused with any other field or direction.
    for (const orderBy of [
      { field: TicketOrderField.NUMBER, direction: OrderDirection.ASC },
      { field: TicketOrderField.CREATED_AT, direction: OrderDirection.ASC },
      { field: TicketOrderField.UPDATED_AT, direction: OrderDirection.DESC },
    ]) {
      const res = await app.gql(TicketsDocument, { first: 1, after: cursor, orderBy }, agent.token);
      expectError(res, 'BAD_USER_INPUT', 'after');
    }
  });

  it('a cursor of another list → BAD_USER_INPUT on after', async () => {
    const businesses = await app.gql(BusinessesDocument, { first: 1 }, agent.token);
    const tickets = await app.gql(TicketsDocument, { first: 1 }, agent.token);
    const businessCursor = businesses.data!.businesses.pageInfo.endCursor!;
    const ticketCursor = tickets.data!.tickets.pageInfo.endCursor!;
    expectError(await app.gql(TicketsDocument, { after: businessCursor }, agent.token), 'BAD_USER_INPUT', 'after');
    expectError(await app.gql(BusinessesDocument, { after: ticketCursor }, agent.token), 'BAD_USER_INPUT', 'after');
    expectError(await app.gql(BusinessesDocument, { after: 'garbage' }, agent.token), 'BAD_USER_INPUT', 'after');
  });

  it('a bad cursor in a nested history page → BAD_USER_INPUT on after', async () => {
    const ticket = await make.ticket(app, { business: acme });
    const tickets = await app.gql(TicketsDocument, { first: 1 }, agent.token);
    for (const after of ['garbage', tickets.data!.tickets.pageInfo.endCursor!]) {
      const res = await app.gql(ValidationTicketHistoryPageDocument, { id: ticket.globalId, after }, agent.token);
      expectError(res, 'BAD_USER_INPUT', 'after');
    }
    const good = await app.gql(ValidationTicketHistoryPageDocument, { id: ticket.globalId, first: 1 }, agent.token);
    expect(good.errors).toBeUndefined();
    expect(good.data!.ticket!.history.nodes).toHaveLength(1);
  });

  it.each([101, 0, -1])('first: %p → BAD_USER_INPUT on first (tickets, businesses and a nested history)', async (first) => {
    const ticket = await make.ticket(app, { business: acme });
    expectError(await app.gql(TicketsDocument, { first }, agent.token), 'BAD_USER_INPUT', 'first');
    expectError(await app.gql(BusinessesDocument, { first }, agent.token), 'BAD_USER_INPUT', 'first');
    expectError(await app.gql(ValidationTicketHistoryPageDocument, { id: ticket.globalId, first }, agent.token), 'BAD_USER_INPUT', 'first');
  });

  it('first: 100 is allowed', async () => {
    const res = await app.gql(TicketsDocument, { first: 100 }, agent.token);
    expect(res.errors).toBeUndefined();
  });
});

describe('variables of the wrong type are refused by the server before any resolver runs', () => {
  const TICKETS = 'query ($first: Int) { tickets(first: $first) { totalCount } }';

  it('first: "ten" → BAD_USER_INPUT with HTTP 400', async () => {
    const res = await post({ query: TICKETS, variables: { first: 'ten' } }, agent.token);
    expect(res.status).toBe(400);
    expectError(res.body, 'BAD_USER_INPUT');
    expect(res.body.data).toBeUndefined();
  });

  it('an unknown enum value, or a missing required input field → BAD_USER_INPUT, nothing written', async () => {
    const mutation = 'mutation ($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }';
    const badEnum = await writesNothing(() =>
      post({ query: mutation, variables: { input: { title: 'T', description: 'D', priority: 'SUPER' } } }, agent.token),
    );
    expect(badEnum.status).toBe(400);
    expectError(badEnum.body, 'BAD_USER_INPUT');
    const missing = await writesNothing(() => post({ query: mutation, variables: { input: { title: 'T' } } }, agent.token));
    expect(missing.status).toBe(400);
    expectError(missing.body, 'BAD_USER_INPUT');
  });
});

describe('expectedVersion', () => {
  async function ticketAtVersion2() {
    const ticket = await make.ticket(app, { business: acme });
    const res = await app.gql(UpdateTicketDocument, { input: { ticketId: ticket.globalId, title: 'Second version', expectedVersion: 1 } }, agent.token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateTicket.ticket.version).toBe(2);
    return ticket;
  }

  it('a stale expectedVersion → CONFLICT with currentVersion, and nothing written', async () => {
    const ticket = await ticketAtVersion2();
    const res = await writesNothing(() =>
      app.gql(UpdateTicketDocument, { input: { ticketId: ticket.globalId, title: 'Stale edit', priority: TicketPriority.URGENT, expectedVersion: 1 } }, agent.token),
    );
    const error = expectError(res, 'CONFLICT');
    expect(error.extensions?.currentVersion).toBe(2);
    expect(res.data).toBeNull();
    const after = await app.gql(TicketDocument, { id: ticket.globalId }, agent.token);
    expect(after.data!.ticket).toMatchObject({ title: 'Second version', priority: 'MEDIUM', version: 2 });
  });

  it('a stale expectedVersion → CONFLICT from assignTicket, setTicketTags and linkTicketToBusiness too', async () => {
    const ticket = await ticketAtVersion2();
    const responses = [
      await writesNothing(() =>
        app.gql(AssignTicketDocument, { input: { ticketId: ticket.globalId, assigneeId: agent.user.globalId, expectedVersion: 1 } }, agent.token),
      ),
      await writesNothing(() => app.gql(SetTicketTagsDocument, { input: { ticketId: ticket.globalId, tags: [NEW_TAG], expectedVersion: 1 } }, agent.token)),
      await writesNothing(() =>
        app.gql(LinkTicketDocument, { input: { ticketId: ticket.globalId, businessId: globex.globalId, expectedVersion: 3 } }, agent.token),
      ),
    ];
    for (const res of responses) {
      expect(expectError(res, 'CONFLICT').extensions?.currentVersion).toBe(2);
    }
  });

  it('the current expectedVersion is accepted', async () => {
    const ticket = await ticketAtVersion2();
    const res = await app.gql(UpdateTicketDocument, { input: { ticketId: ticket.globalId, title: 'Third version', expectedVersion: 2 } }, agent.token);
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateTicket.ticket).toMatchObject({ title: 'Third version', version: 3 });
  });
});

describe('setTicketTags refuses bad tag lists and writes nothing', () => {
  it.each([
    ['more than 20 tags', Array.from({ length: 21 }, (_, i) => `many-${i}`)],
    ['a tag of 51 characters', ['ok', 'x'.repeat(51)]],
    ['an empty tag', ['ok', '']],
  ])('%s → BAD_USER_INPUT on tags', async (_what, tags) => {
    const ticket = await make.ticket(app, { business: acme });
    const res = await writesNothing(() => app.gql(SetTicketTagsDocument, { input: { ticketId: ticket.globalId, tags } }, agent.token));
    expectError(res, 'BAD_USER_INPUT', 'tags');
    expect(res.data).toBeNull();
  });
});

describe('text the database cannot store', () => {
  it('a NUL character in a title is refused as bad input, without leaking the database error', async () => {
    const res = await writesNothing(() =>
      app.gql(SubmitTicketDocument, { input: { title: 'a\u0000b', description: 'd', name: 'Jane', email: 'jane@example.com' } }),
    );
    expectError(res, 'BAD_USER_INPUT', 'title');
  });
});

describe('updateTicket', () => {
  it('changes the fields, bumps the version by one and records UPDATED and PRIORITY_CHANGED', async () => {
    const ticket = await make.ticket(app, { business: acme, title: 'Old title', description: 'Old description' });
    const before = await app.gql(TicketDocument, { id: ticket.globalId }, agent.token);
    const res = await app.gql(
      UpdateTicketDocument,
      { input: { ticketId: ticket.globalId, title: '  New title  ', description: 'New description', priority: TicketPriority.HIGH, expectedVersion: 1 } },
      agent.token,
    );
    expect(res.errors).toBeUndefined();
    const updated = res.data!.updateTicket.ticket;
    expect(updated).toMatchObject({ id: ticket.globalId, title: 'New title', description: 'New description', priority: 'HIGH', version: 2 });
    expect(new Date(updated.updatedAt).getTime()).toBeGreaterThan(new Date(before.data!.ticket!.updatedAt).getTime());

    const history = await timeline(ticket.globalId);
    expect(history.version).toBe(2);
    expect(history.history.nodes).toEqual([
      expect.objectContaining({ type: 'CREATED' }),
      { type: 'UPDATED', fromStatus: null, toStatus: null, details: { fields: ['title', 'description'] }, actor: { id: agent.user.globalId, name: 'Alice Agent' } },
      { type: 'PRIORITY_CHANGED', fromStatus: null, toStatus: null, details: expect.objectContaining({ from: 'MEDIUM', to: 'HIGH' }), actor: { id: agent.user.globalId, name: 'Alice Agent' } },
    ]);
  });

  it('a change of priority alone records only PRIORITY_CHANGED; an update that changes nothing keeps the version', async () => {
    const ticket = await make.ticket(app, { business: acme, title: 'Same' });
    const res = await app.gql(UpdateTicketDocument, { input: { ticketId: ticket.globalId, priority: TicketPriority.LOW } }, agent.token);
    expect(res.data!.updateTicket.ticket).toMatchObject({ priority: 'LOW', version: 2 });
    const noop = await app.gql(UpdateTicketDocument, { input: { ticketId: ticket.globalId, title: 'Same', priority: TicketPriority.LOW } }, agent.token);
    expect(noop.errors).toBeUndefined();
    expect(noop.data!.updateTicket.ticket.version).toBe(2);
    expect((await timeline(ticket.globalId)).history.nodes.map((n) => n.type)).toEqual(['CREATED', 'PRIORITY_CHANGED']);
  });
});

describe('assignTicket', () => {
  it('assigns, reassigns and unassigns (null), recording ASSIGNED each time', async () => {
    const ticket = await make.ticket(app, { business: acme });
    const assign = await app.gql(AssignTicketDocument, { input: { ticketId: ticket.globalId, assigneeId: agent.user.globalId } }, agent.token);
    expect(assign.errors).toBeUndefined();
    expect(assign.data!.assignTicket.ticket).toMatchObject({ assignee: { id: agent.user.globalId, name: 'Alice Agent' }, version: 2 });

    const reassign = await app.gql(
      AssignTicketDocument,
      { input: { ticketId: ticket.globalId, assigneeId: otherAgent.user.globalId, expectedVersion: 2 } },
      agent.token,
    );
    expect(reassign.errors).toBeUndefined();
    expect(reassign.data!.assignTicket.ticket).toMatchObject({ assignee: { id: otherAgent.user.globalId, name: 'Bob Agent' }, version: 3 });

    const unassign = await app.gql(AssignTicketDocument, { input: { ticketId: ticket.globalId, assigneeId: null } }, agent.token);
    expect(unassign.errors).toBeUndefined();
    expect(unassign.data!.assignTicket.ticket).toMatchObject({ assignee: null, version: 4 });

    const assigned = (await timeline(ticket.globalId)).history.nodes.filter((n) => n.type === 'ASSIGNED');
    expect(assigned.map((n) => n.details)).toEqual([
      { from: null, to: agent.user.globalId },
      { from: agent.user.globalId, to: otherAgent.user.globalId },
      { from: otherAgent.user.globalId, to: null },
    ]);
    expect(assigned.every((n) => n.actor?.id === agent.user.globalId)).toBe(true);

    const row = await app.em().getConnection().execute<{ assignee_id: string | null }[]>('select assignee_id from ticket where id = ?', [ticket.id]);
    expect(row).toEqual([{ assignee_id: null }]);
  });
});

describe('setTicketTags', () => {
  it('reuses an existing tag whatever the case, creates new ones, and records TAGGED with added and removed', async () => {
    const first = await make.ticket(app, { business: acme });
    const seeded = await app.gql(SetTicketTagsDocument, { input: { ticketId: first.globalId, tags: ['Billing'] } }, agent.token);
    expect(seeded.errors).toBeUndefined();

    const ticket = await make.ticket(app, { business: acme });
    const tagsBefore = await app.em().getConnection().execute<{ n: number }[]>(`select count(*)::int as n from tag where lower(name) in ('billing', 'urgent-tag')`);
    expect(tagsBefore).toEqual([{ n: 1 }]);

    const set = await app.gql(SetTicketTagsDocument, { input: { ticketId: ticket.globalId, tags: ['billing', 'Urgent-Tag'] } }, agent.token);
    expect(set.errors).toBeUndefined();
    expect(set.data!.setTicketTags.ticket).toMatchObject({ tags: [{ name: 'Billing' }, { name: 'Urgent-Tag' }], version: 2 });
    const tagsAfter = await app.em().getConnection().execute<{ name: string }[]>(
      `select name from tag where lower(name) in ('billing', 'urgent-tag') order by lower(name)`,
    );
    expect(tagsAfter).toEqual([{ name: 'Billing' }, { name: 'Urgent-Tag' }]);

    const replace = await app.gql(SetTicketTagsDocument, { input: { ticketId: ticket.globalId, tags: ['URGENT-TAG'] } }, agent.token);
    expect(replace.errors).toBeUndefined();
    expect(replace.data!.setTicketTags.ticket).toMatchObject({ tags: [{ name: 'Urgent-Tag' }], version: 3 });

    const tagged = (await timeline(ticket.globalId)).history.nodes.filter((n) => n.type === 'TAGGED');
    expect(tagged.map((n) => n.details)).toEqual([
      { added: ['Billing', 'Urgent-Tag'], removed: [] },
      { added: [], removed: ['Billing'] },
    ]);
  });
});

describe('linkTicketToBusiness', () => {
  it('links an UNASSIGNED ticket, which becomes OPEN, recording LINKED and STATUS_CHANGED', async () => {
    const ticket = await make.ticket(app);
    const res = await app.gql(
      LinkTicketDocument,
      { input: { ticketId: ticket.globalId, businessId: acme.globalId, contactId: acmeContact.contact.globalId, expectedVersion: 1 } },
      agent.token,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.linkTicketToBusiness.ticket).toMatchObject({
      status: 'OPEN',
      business: { id: acme.globalId, name: 'Acme' },
      contact: { id: acmeContact.contact.globalId },
      version: 2,
    });
    const history = await timeline(ticket.globalId);
    expect(history.history.nodes.slice(1)).toEqual([
      {
        type: 'LINKED',
        fromStatus: null,
        toStatus: null,
        details: { business: acme.globalId, contact: acmeContact.contact.globalId },
        actor: { id: agent.user.globalId, name: 'Alice Agent' },
      },
      { type: 'STATUS_CHANGED', fromStatus: 'UNASSIGNED', toStatus: 'OPEN', details: {}, actor: { id: agent.user.globalId, name: 'Alice Agent' } },
    ]);
  });

  it('refuses a contact of another business: BAD_USER_INPUT on contactId, the ticket stays UNASSIGNED', async () => {
    const ticket = await make.ticket(app);
    const res = await writesNothing(() =>
      app.gql(LinkTicketDocument, { input: { ticketId: ticket.globalId, businessId: acme.globalId, contactId: globexContact.contact.globalId } }, agent.token),
    );
    expectError(res, 'BAD_USER_INPUT', 'contactId');
    const after = await app.gql(TicketDocument, { id: ticket.globalId }, agent.token);
    expect(after.data!.ticket).toMatchObject({ status: 'UNASSIGNED', business: null, contact: null, version: 1 });
  });
});

describe('submitTicket', () => {
  it('opens an UNASSIGNED WEB_FORM ticket keeping what the submitter typed, with a TG-<number>-XXXX reference', async () => {
    const res = await app.gql(SubmitTicketDocument, {
      input: {
        title: 'Cannot log in',
        description: 'The page says no.',
        name: 'Jane Doe',
        email: 'jane.doe@example.com',
        companyName: 'Initech',
        phone: '+1 555 0100',
      },
    });
    expect(res.errors).toBeUndefined();
    const { ticketNumber, reference } = res.data!.submitTicket;
    expect(ticketNumber).toEqual(expect.any(Number));
    expect(reference).toMatch(new RegExp(`^TG-${ticketNumber}-[A-HJ-NP-Z2-9]{4}$`));

    const [row] = await app.em().getConnection().execute<Record<string, unknown>[]>('select * from ticket where number = ?', [ticketNumber]);
    expect(row).toMatchObject({
      status: 'UNASSIGNED',
      channel: 'WEB_FORM',
      priority: 'MEDIUM',
      reference,
      submitter_name: 'Jane Doe',
      submitter_email: 'jane.doe@example.com',
      submitted_company_name: 'Initech',
      submitter_phone: '+1 555 0100',
      creator_id: null,
      business_id: null,
      contact_id: null,
      assignee_id: null,
    });

    const seen = await app.gql(TicketDocument, { id: toGlobalId('Ticket', row.id as string) }, agent.token);
    expect(seen.errors).toBeUndefined();
    expect(seen.data!.ticket).toMatchObject({
      number: ticketNumber,
      title: 'Cannot log in',
      status: 'UNASSIGNED',
      channel: 'WEB_FORM',
      submitterName: 'Jane Doe',
      submitterEmail: 'jane.doe@example.com',
      submittedCompanyName: 'Initech',
      creator: null,
      business: null,
      version: 1,
    });
    const history = await timeline(toGlobalId('Ticket', row.id as string));
    expect(history.history.nodes).toEqual([
      { type: 'CREATED', fromStatus: null, toStatus: 'UNASSIGNED', details: { channel: 'WEB_FORM', sender: 'jane.doe@example.com' }, actor: null },
    ]);
  });

  it('gives each submission its own number and reference', async () => {
    const input = { title: 'Again', description: 'Twice.', name: 'Jane', email: 'jane@example.com' };
    const a = await app.gql(SubmitTicketDocument, { input });
    const b = await app.gql(SubmitTicketDocument, { input });
    expect(b.data!.submitTicket.ticketNumber).toBeGreaterThan(a.data!.submitTicket.ticketNumber);
    expect(b.data!.submitTicket.reference).not.toBe(a.data!.submitTicket.reference);
  });
});
