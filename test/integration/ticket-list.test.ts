import { TicketsDocument, type TicketsQuery, type TicketsQueryVariables } from '../__generated__/graphql';
import type { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketPriority, TicketStatus } from '../../src/modules/tickets/ticket.enums';
import * as make from '../factories';
import { startTestApp, type GraphQLResponse, type TestApp } from '../setup/test-app';

let app: TestApp;
let agent: make.Staff;
let other: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let globex: Awaited<ReturnType<typeof make.business>>;
const tickets: Ticket[] = [];
const tagsOf = new Map<string, string[]>();

const HOUR = 3_600_000;
const base = Date.now() - 1000 * HOUR;
const at = (hours: number) => new Date(base + hours * HOUR);
const PRIORITY_RANK = { LOW: 0, MEDIUM: 1, HIGH: 2, URGENT: 3 };

beforeAll(async () => {
  app = await startTestApp();
  agent = await make.staffUser(app);
  other = await make.staffUser(app);
  acme = await make.business(app);
  globex = await make.business(app);
  const priorities = Object.values(TicketPriority);
  const statuses = Object.values(TicketStatus).filter((s) => s !== TicketStatus.UNASSIGNED);
  for (let i = 0; i < 23; i += 1) {
    const tags = i % 2 === 0 ? ['Billing'] : i % 3 === 0 ? ['outage', 'billing'] : [];
    tickets.push(
      await make.ticket(app, {
        title: i === 3 ? 'Printer PAPER jam' : i === 7 ? '100% CPU on db' : `Ticket ${i}`,
        description: i === 5 ? 'The paper tray is stuck' : i === 9 ? 'load at 100 percent' : 'Something',
        business: i % 3 === 0 ? globex : acme,
        assignee: i % 4 === 0 ? other.user : agent.user,
        priority: priorities[i % 4],
        status: statuses[i % statuses.length],
        // Pairs of tickets share a creation time, so ties are broken by id.
        createdAt: at(Math.floor(i / 2)),
        // Some without a due date, some past, some future.
        dueAt: i % 5 === 0 ? null : at(i % 2 === 0 ? 2000 : 10),
        tags,
      }),
    );
    tagsOf.set(tickets[i].id, tags);
  }
});
afterAll(() => app.stop());

/** Walks every page (size 4) and returns the ids in order, checking the page flags as it goes. */
async function walk(variables: TicketsQueryVariables): Promise<{ ids: string[]; totalCount: number }> {
  const ids: string[] = [];
  let after: string | null | undefined = null;
  let totalCount = -1;
  for (let page = 0; page < 20; page += 1) {
    const res: GraphQLResponse<TicketsQuery> = await app.gql(TicketsDocument, { ...variables, first: 4, after }, agent.token);
    expect(res.errors).toBeUndefined();
    const connection = res.data!.tickets;
    totalCount = connection.totalCount;
    ids.push(...connection.edges.map((e) => e.node.id));
    expect(connection.pageInfo.hasPreviousPage).toBe(page > 0);
    if (!connection.pageInfo.hasNextPage) return { ids, totalCount };
    after = connection.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

type Key = (t: Ticket) => number | null;
const KEYS: Record<string, Key> = {
  CREATED_AT: (t) => t.createdAt.getTime(),
  UPDATED_AT: (t) => t.updatedAt.getTime(),
  DUE_AT: (t) => t.dueAt?.getTime() ?? null,
  PRIORITY: (t) => PRIORITY_RANK[t.priority],
  NUMBER: (t) => t.number,
};

/** The order the API promises: by the key, nulls last in both directions, then by id in the same direction. */
function expectedOrder(key: Key, direction: 'ASC' | 'DESC'): string[] {
  const sign = direction === 'ASC' ? 1 : -1;
  return [...tickets]
    .sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      if (x === null || y === null) return x === y ? sign * a.id.localeCompare(b.id) : x === null ? 1 : -1;
      return x !== y ? sign * (x - y) : sign * a.id.localeCompare(b.id);
    })
    .map((t) => t.globalId);
}

describe('every ordering, both directions, walked page by page', () => {
  const cases = Object.keys(KEYS).flatMap((field) => (['ASC', 'DESC'] as const).map((direction) => [field, direction] as const));
  it.each(cases)('%s %s', async (field, direction) => {
    const { ids, totalCount } = await walk({ orderBy: { field: field as never, direction: direction as never } });
    expect(ids).toEqual(expectedOrder(KEYS[field], direction));
    expect(totalCount).toBe(tickets.length);
  });

  it('defaults to newest first', async () => {
    const { ids } = await walk({});
    expect(ids).toEqual(expectedOrder(KEYS.CREATED_AT, 'DESC'));
  });

  it('refuses a cursor made for another ordering', async () => {
    const first = await app.gql(TicketsDocument, { first: 2, orderBy: { field: 'NUMBER' as never, direction: 'ASC' as never } }, agent.token);
    const res = await app.gql(TicketsDocument, { first: 2, after: first.data!.tickets.pageInfo.endCursor }, agent.token);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('every filter', () => {
  // The tickets' change times are those of their creation here: the middle one splits them in two.
  const medianUpdate = () => [...tickets].sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime())[Math.floor(tickets.length / 2)].updatedAt;
  const now = Date.now();
  const isOverdue = (t: Ticket) => t.dueAt !== null && t.dueAt.getTime() < now && !['RESOLVED', 'CLOSED'].includes(t.status);
  const cases: [string, () => TicketsQueryVariables['filter'], (t: Ticket) => boolean][] = [
    ['status', () => ({ status: ['OPEN', 'CLOSED'] as never }), (t) => t.status === 'OPEN' || t.status === 'CLOSED'],
    ['priority', () => ({ priority: ['URGENT'] as never }), (t) => t.priority === 'URGENT'],
    ['assigneeId', () => ({ assigneeId: other.user.globalId }), (t) => t.assignee?.id === other.user.id],
    ['businessId', () => ({ businessId: globex.globalId }), (t) => t.business?.id === globex.id],
    ['tags (any, case ignored)', () => ({ tags: ['BILLING', 'nope'] }), (t) => tagsOf.get(t.id)!.length > 0],
    ['overdue: true', () => ({ overdue: true }), isOverdue],
    ['overdue: false', () => ({ overdue: false }), (t) => !isOverdue(t)],
    ['search in title or description, case ignored', () => ({ search: 'paper' }), (t) => /paper/i.test(t.title + t.description)],
    ['search treats % literally', () => ({ search: '100%' }), (t) => t.title.includes('100%') || t.description.includes('100%')],
    ['createdAfter', () => ({ createdAfter: at(5).toISOString() }), (t) => t.createdAt >= at(5)],
    ['createdBefore', () => ({ createdBefore: at(5).toISOString() }), (t) => t.createdAt < at(5)],
    ['updatedAfter', () => ({ updatedAfter: medianUpdate().toISOString() }), (t) => t.updatedAt >= medianUpdate()],
    [
      'several fields combine with AND',
      () => ({ businessId: acme.globalId, priority: ['LOW', 'HIGH'] as never, createdAfter: at(2).toISOString() }),
      (t) => t.business?.id === acme.id && ['LOW', 'HIGH'].includes(t.priority) && t.createdAt >= at(2),
    ],
  ];

  it.each(cases)('%s', async (_name, filter, matches) => {
    const expected = tickets.filter(matches).map((t) => t.globalId);
    const { ids, totalCount } = await walk({ filter: filter(), orderBy: { field: 'NUMBER' as never, direction: 'ASC' as never } });
    expect(ids).toEqual(expected);
    expect(totalCount).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(0);
  });
});
