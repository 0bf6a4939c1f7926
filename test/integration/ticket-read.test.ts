import { ReadBoardDocument, ReadTicketDocument, ReadUrgentDocument, TicketPriority, TicketStatus } from '../__generated__/graphql';
import { preparedRows } from '../../src/db/prepared';
import * as make from '../factories';
import { postQuery } from '../setup/raw-request';
import { startTestApp, type TestApp } from '../setup/test-app';

/**
 * The read model of tickets (tickets/ticket-read.ts) on the shapes of bench:api's queries: a page or
 * one ticket and everything nested under it is one statement, whatever the page size (signing in costs
 * none once the session is cached); and the access rules hold on it (a customer's read never carries
 * an internal comment, another business's ticket or a staff member's email).
 */

let app: TestApp;
let agent: make.Staff;
let customer: make.Customer;
let seen: Awaited<ReturnType<typeof make.ticket>>;

/** A session once read is cached (shared/notified-cache.ts): after each reader's first request, signing in runs no statement. */
const AUTHENTICATION = 0;

beforeAll(async () => {
  app = await startTestApp();
  agent = await make.staffUser(app);
  const manager = await make.staffUser(app);
  const acme = await make.business(app, { accountManager: manager.user });
  const other = await make.business(app);
  customer = await make.customer(app, acme);
  for (let i = 0; i < 45; i += 1) {
    const ticket = await make.ticket(app, {
      business: i % 3 === 0 ? other : acme,
      assignee: agent.user,
      priority: i % 2 ? TicketPriority.HIGH : TicketPriority.LOW,
      dueAt: new Date(Date.now() + (50 - i) * 3_600_000),
      tags: [`tag-${i % 4}`, 'shared'],
    });
    await make.comment(app, ticket, agent.user, `external ${i}`, false);
    await make.comment(app, ticket, agent.user, `internal ${i}`, true);
    seen = ticket;
  }
  for (let i = 0; i < 24; i += 1) await make.comment(app, seen, agent.user, `more ${i}`, i % 2 === 0);
  for (const reader of [agent, customer]) await app.gql(ReadUrgentDocument, {}, reader.token);
});
afterAll(() => app.stop());

describe('Q1: the board', () => {
  it('is one statement after authentication (and one for totalCount), at 5 tickets as at 45', async () => {
    const small = await app.countStatements(() => app.gql(ReadBoardDocument, { first: 5 }, agent.token));
    const large = await app.countStatements(() => app.gql(ReadBoardDocument, { first: 45 }, agent.token));
    expect(large.result.errors).toBeUndefined();
    expect(large.result.data!.tickets.nodes).toHaveLength(45);
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBeLessThanOrEqual(AUTHENTICATION + 2);
  });

  it('answers every nested field for an agent: internal comments, staff emails, tags by name, counts', async () => {
    const res = await app.gql(ReadBoardDocument, { first: 45 }, agent.token);
    const nodes = res.data!.tickets.nodes;
    expect(res.data!.tickets.totalCount).toBe(45);
    const newest = nodes[0];
    expect(newest.id).toBe(seen.globalId);
    expect(newest.assignee).toEqual({ id: agent.user.globalId, name: agent.user.name, email: agent.user.email });
    expect(newest.business!.accountManager!.email).toMatch(/@/);
    expect(newest.tags.map((t) => t.name)).toEqual(['shared', 'tag-0'].sort((a, b) => a.localeCompare(b)));
    expect(newest.comments.totalCount).toBe(26);
    expect(newest.comments.nodes.map((c) => c.body)).toEqual(['external 44', 'internal 44', 'more 0']);
    expect(newest.comments.nodes[1]).toMatchObject({ isInternal: true, author: { name: agent.user.name } });
    expect(nodes.slice(1).every((n) => n.comments.totalCount === 2 && n.comments.nodes.length === 2)).toBe(true);
    expect(typeof newest.isOverdue).toBe('boolean');
  });

  it('as a customer: its business only, no internal comment in the page or the count, no staff email', async () => {
    const { result: res, statements } = await app.countStatements(() => app.gql(ReadBoardDocument, { first: 45 }, customer.token));
    expect(res.errors).toBeUndefined();
    expect(statements).toBeLessThanOrEqual(AUTHENTICATION + 2);
    const nodes = res.data!.tickets.nodes;
    expect(nodes).toHaveLength(30);
    expect(nodes.every((n) => n.business!.name === nodes[0].business!.name)).toBe(true);
    expect(nodes.flatMap((n) => n.comments.nodes).some((c) => c.isInternal || c.body.startsWith('internal'))).toBe(false);
    const newest = nodes.find((n) => n.id === seen.globalId)!;
    expect(newest.comments.totalCount).toBe(13);
    expect(newest.assignee!.email).toBeNull();
    expect(newest.business!.accountManager!.email).toBeNull();
  });
});

describe('Q2: one ticket with its conversation', () => {
  it('is one statement after authentication, comments, timeline, their people and counts included', async () => {
    const { result: res, statements } = await app.countStatements(() => app.gql(ReadTicketDocument, { id: seen.globalId }, agent.token));
    expect(res.errors).toBeUndefined();
    expect(statements).toBe(AUTHENTICATION + 1);
    const ticket = res.data!.ticket!;
    expect(ticket.comments.totalCount).toBe(26);
    expect(ticket.comments.nodes).toHaveLength(20);
    expect(ticket.comments.pageInfo.hasNextPage).toBe(true);
    expect(ticket.history.totalCount).toBe(27);
    expect(ticket.history.nodes[0]).toMatchObject({ type: 'CREATED', toStatus: 'OPEN' });
    expect(ticket.history.nodes[1].actor).toEqual({ id: agent.user.globalId, name: agent.user.name });
    // A timeline position is a bigint: its cursor must carry every digit (JSON numbers would round it).
    expect(ticket.history.nodes.map((n) => n.cursor)).toEqual([...new Set(ticket.history.nodes.map((n) => n.cursor))]);
  });

  it('as a customer: no internal comment or timeline entry, nor in the counts', async () => {
    const res = await app.gql(ReadTicketDocument, { id: seen.globalId }, customer.token);
    const ticket = res.data!.ticket!;
    expect(ticket.comments.totalCount).toBe(13);
    expect(ticket.comments.nodes.some((c) => c.isInternal)).toBe(false);
    expect(ticket.history.totalCount).toBe(14);
    expect(ticket.history.nodes.some((e) => e.isInternal)).toBe(false);
  });

  it('a ticket of another business answers NOT_FOUND to a customer', async () => {
    const board = await app.gql(ReadBoardDocument, { first: 45 }, agent.token);
    const foreign = board.data!.tickets.nodes.find((n) => n.business!.name !== board.data!.tickets.nodes[0].business!.name)!;
    const res = await app.gql(ReadTicketDocument, { id: foreign.id }, customer.token);
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });
});

describe('Q3: the urgent queue', () => {
  it('is one statement after authentication, soonest due first', async () => {
    const { result: res, statements } = await app.countStatements(() => app.gql(ReadUrgentDocument, {}, agent.token));
    expect(res.errors).toBeUndefined();
    expect(statements).toBe(AUTHENTICATION + 1);
    const nodes = res.data!.tickets.nodes;
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.every((n) => n.priority === TicketPriority.HIGH && n.status === TicketStatus.OPEN)).toBe(true);
    const due = nodes.map((n) => n.dueAt!);
    expect(due).toEqual([...due].sort());
  });
});

describe('prepared reads (db/prepared.ts)', () => {
  /** The read statements one request runs: text, values, and the name it is prepared under. */
  async function reads(id: string) {
    const knex = app.app.database.orm.em.getConnection().getKnex();
    const seenStatements: { sql: string; bindings: unknown[]; name?: string }[] = [];
    const record = (q: { sql: string; bindings: unknown[]; options?: { name?: string } }) => seenStatements.push({ sql: q.sql, bindings: q.bindings, name: q.options?.name });
    knex.on('query', record);
    try {
      const res = await app.gql(ReadTicketDocument, { id }, agent.token);
      expect(res.errors).toBeUndefined();
    } finally {
      knex.off('query', record);
    }
    return seenStatements.filter((s) => s.sql.includes('from ticket t'));
  }

  it('sends one ticket read with its values as parameters, under one name for every ticket', async () => {
    const board = await app.gql(ReadBoardDocument, { first: 2 }, agent.token);
    const [first, second] = board.data!.tickets.nodes.map((n) => n.id);
    const [a] = await reads(first);
    const [b] = await reads(second);
    // The ticket's key is a bind parameter, never written into the text: the text, and so the name (and
    // PostgreSQL's kept plan), is the same for both tickets.
    expect(a.sql).toMatch(/\$1/);
    expect(a.sql).toBe(b.sql);
    expect(a.name).toMatch(/^tg_[0-9a-f]{40}$/);
    expect(b.name).toBe(a.name);
    expect(a.bindings).not.toEqual(b.bindings);
  });

  it('names at most 200 distinct texts per process; later ones run unnamed, with the same answers', async () => {
    const knex = app.app.database.orm.em.getConnection().getKnex();
    const names: (string | undefined)[] = [];
    const record = (q: { options?: { name?: string } }) => names.push(q.options?.name);
    knex.on('query', record);
    try {
      const em = app.app.database.orm.em.fork();
      for (let i = 0; i < 210; i += 1) {
        const [row] = await preparedRows<{ n: number }>(em, { sql: `select ?::int + ${i} as n`, bindings: [1] });
        expect(row.n).toBe(1 + i);
      }
    } finally {
      knex.off('query', record);
    }
    // Earlier tests of this file named their reads too: the cap is reached within these 210.
    expect(names.filter(Boolean).length).toBeLessThan(200);
    expect(names.slice(-10)).toEqual(Array(10).fill(undefined));
  });
});

describe('the columns a page reads', () => {
  /** Every Ticket field ticket-read.ts answers from its own columns (TICKET_FIELD_COLUMNS). */
  const OWN_COLUMNS = `__typename id createdAt updatedAt dueAt number priority title description status channel resolvedAt closedAt version
    assignee { id } business { id } contact { id } creator { id } tags { name } comments(first: 1) { totalCount } history(first: 1) { totalCount }`;

  /** The statements `query` runs, and its answer. */
  async function read(query: string, variables: Record<string, unknown> = {}) {
    const knex = app.app.database.orm.em.getConnection().getKnex();
    const statements: string[] = [];
    const record = (q: { sql: string }) => statements.push(q.sql);
    knex.on('query', record);
    try {
      const answer = await postQuery(app.url, query, { variables, token: agent.token });
      expect(answer.body.errors).toBeUndefined();
      return { data: answer.body.data as { tickets: { nodes: Record<string, unknown>[]; pageInfo: { endCursor: string } } }, statements };
    } finally {
      knex.off('query', record);
    }
  }

  it.each(['CREATED_AT', 'UPDATED_AT', 'DUE_AT', 'PRIORITY', 'NUMBER'])(
    'reads only those columns for those fields, answering as the whole row does, pages and cursors included (%s)',
    async (field) => {
      const page = (fields: string) => `query($after: String) {
        tickets(first: 7, after: $after, orderBy: { field: ${field}, direction: ASC }) { pageInfo { endCursor } nodes { ${fields} } }
      }`;
      // resolutionNotes is not among them: its rule reads another column, so the whole row is read.
      const whole = { first: await read(page(`${OWN_COLUMNS} resolutionNotes`)) };
      const own = { first: await read(page(OWN_COLUMNS)) };
      expect(own.first.statements.some((sql) => sql.includes('to_json(t)'))).toBe(false);
      expect(whole.first.statements.some((sql) => sql.includes('to_json(t)'))).toBe(true);
      const second = await read(page(OWN_COLUMNS), { after: own.first.data.tickets.pageInfo.endCursor });
      const wholeSecond = await read(page(`${OWN_COLUMNS} resolutionNotes`), { after: whole.first.data.tickets.pageInfo.endCursor });
      const strip = (nodes: Record<string, unknown>[]) => nodes.map(({ resolutionNotes: _, ...rest }) => rest);
      expect(own.first.data.tickets.nodes).toEqual(strip(whole.first.data.tickets.nodes));
      expect(second.data.tickets.nodes).toEqual(strip(wholeSecond.data.tickets.nodes));
      expect(second.data.tickets.nodes).toHaveLength(7);
    },
  );
});

describe('what a read brings out of the database', () => {
  it('no password hash of the staff or contacts a page names, though every one of them is read', async () => {
    const query = `{ tickets(first: 45) { nodes {
      assignee { id email } creator { id } business { accountManager { id } } contact { id email }
      comments(first: 3) { nodes { author { id } } } history(first: 3) { nodes { actor { id } } }
    } } }`;
    // The customer (who has a password) is the contact of the newest ticket.
    await app.em().getConnection().execute('update ticket set contact_id = ? where id = ?', [customer.contact.id, seen.id]);
    const warm = await postQuery(app.url, query, { token: agent.token });
    expect(warm.body.errors).toBeUndefined();
    const knex = app.app.database.orm.em.getConnection().getKnex();
    const responses: unknown[] = [];
    const record = (response: unknown) => responses.push(response);
    knex.on('query-response', record);
    try {
      const answer = await postQuery(app.url, query, { token: agent.token });
      expect(answer.body.errors).toBeUndefined();
    } finally {
      knex.off('query-response', record);
    }
    const read = JSON.stringify(responses);
    expect(read).toContain(customer.contact.id);
    expect(read).toContain(agent.user.id);
    const hashes = await app.em().getConnection().execute<{ hash: string }[]>(
      `select password_hash as hash from app_user where id = ? union all select password_hash from contact where id = ?`,
      [agent.user.id, customer.contact.id],
    );
    expect(hashes.map((row) => row.hash)).toEqual([expect.stringMatching(/\S{20}/), expect.stringMatching(/\S{20}/)]);
    for (const { hash } of hashes) expect(read).not.toContain(hash);
  });
});
