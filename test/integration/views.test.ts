import {
  BulkUpdateTicketsDocument,
  CreateViewDocument,
  DeleteViewDocument,
  NodeMacroOrViewDocument,
  OnViewCountChangedDocument,
  TicketsDocument,
  UpdateViewDocument,
  ViewsDocument,
  ViewTicketsDocument,
} from '../__generated__/graphql';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import { subscribe, wsClient } from '../setup/ws-client';
import { writesNothing } from '../setup/writes-nothing';

let app: TestApp;
let agent: make.Staff;
let otherAgent: make.Staff;
let admin: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let carol: make.Customer;

beforeAll(async () => {
  app = await startTestApp();
  agent = await make.staffUser(app);
  otherAgent = await make.staffUser(app);
  admin = await make.staffUser(app, Role.ADMIN);
  acme = await make.business(app);
  carol = await make.customer(app, acme);
});
afterAll(() => app.stop());

async function view(token: string, input: Record<string, unknown>) {
  const res = await app.gql(CreateViewDocument, { input: { name: 'View', ...input } as never }, token);
  expect(res.errors).toBeUndefined();
  return res.data!.createView;
}

describe('saved views', () => {
  it('list and count what the ticket list answers for the same filter and order', async () => {
    const tag = `vip-${Date.now()}`;
    const urgent = await make.ticket(app, { business: acme, tags: [tag], priority: 'URGENT' as never });
    const low = await make.ticket(app, { business: acme, tags: [tag], priority: 'LOW' as never });
    await make.ticket(app, { business: acme, tags: [tag], status: TicketStatus.CLOSED });
    const filter = { tags: [tag], status: ['OPEN' as never], createdAfter: new Date(Date.now() - 3_600_000).toISOString() };
    const orderBy = { field: 'PRIORITY' as never, direction: 'ASC' as never };
    const saved = await view(agent.token, { name: 'VIP open', filter, orderBy });
    expect(saved).toMatchObject({ name: 'VIP open', shared: false, owner: { id: agent.user.globalId }, count: 2, orderBy: { field: 'PRIORITY', direction: 'ASC' } });
    expect(saved.filter).toMatchObject({ tags: [tag], status: ['OPEN'], createdAfter: filter.createdAfter });

    const listed = await app.gql(ViewTicketsDocument, { first: 10 }, agent.token);
    expect(listed.errors).toBeUndefined();
    const mine = listed.data!.views.find((v) => v.id === saved.id)!;
    expect(mine.tickets.nodes.map((t) => t.id)).toEqual([low.globalId, urgent.globalId]);
    // Fields beyond the key are answered too: the ticket's own columns, and the business the page primes.
    expect(mine.tickets.nodes.map((t) => [t.title, t.priority, t.description, t.business?.name])).toEqual(
      [low, urgent].map((t) => [t.title, t.priority, t.description, acme.name]),
    );
    const direct = await app.gql(TicketsDocument, { filter, orderBy }, agent.token);
    expect(mine.tickets.nodes.map((t) => t.id)).toEqual(direct.data!.tickets.nodes.map((t) => t.id));
    expect(mine.tickets.totalCount).toBe(mine.count);
  });

  it('refuses a filter the ticket list would refuse, and writes nothing', async () => {
    await writesNothing(app, ['ticket_view'], async () => {
      const bad = await app.gql(CreateViewDocument, { input: { name: 'Bad', filter: { assigneeId: acme.globalId } } }, agent.token);
      expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.assigneeId' });
      const unnamed = await app.gql(CreateViewDocument, { input: { name: '  ' } }, agent.token);
      expect(unnamed.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    });
  });

  it('are personal or shared: shared ones made and changed by admins only', async () => {
    const theirs = await view(otherAgent.token, { name: 'Theirs' });
    const team = await view(admin.token, { name: 'Team queue', shared: true, filter: { status: ['OPEN'] } });
    await writesNothing(app, ['ticket_view'], async () => {
      expect((await app.gql(CreateViewDocument, { input: { name: 'x', shared: true } }, agent.token)).errors![0].extensions!.code).toBe('FORBIDDEN');
      expect((await app.gql(UpdateViewDocument, { input: { viewId: team.id, name: 'Mine' } }, agent.token)).errors![0].extensions!.code).toBe('FORBIDDEN');
      expect((await app.gql(DeleteViewDocument, { input: { viewId: theirs.id } }, agent.token)).errors![0].extensions!.code).toBe('NOT_FOUND');
      expect((await app.gql(NodeMacroOrViewDocument, { id: theirs.id }, agent.token)).errors![0].extensions!.code).toBe('NOT_FOUND');
    });
    const names = (await app.gql(ViewsDocument, {}, agent.token)).data!.views.map((v) => v.name);
    expect(names).toContain('Team queue');
    expect(names).not.toContain('Theirs');
    const changed = await app.gql(UpdateViewDocument, { input: { viewId: team.id, name: 'Team: waiting', filter: { status: ['WAITING_ON_CUSTOMER' as never] } } }, admin.token);
    expect(changed.data!.updateView).toMatchObject({ name: 'Team: waiting', shared: true, filter: { status: ['WAITING_ON_CUSTOMER'] }, orderBy: null });
    expect((await app.gql(DeleteViewDocument, { input: { viewId: team.id } }, admin.token)).data!.deleteView.deletedId).toBe(team.id);
  });

  it('are for staff accounts only, in queries and subscriptions', async () => {
    const team = await view(admin.token, { name: 'Roles', shared: true });
    const keyAll = await make.apiKey(app, admin.user, Object.values(ApiScope));
    for (const [token, code] of [
      [carol.token, 'FORBIDDEN'],
      [keyAll, 'FORBIDDEN'],
      [undefined, 'UNAUTHENTICATED'],
    ] as const) {
      await writesNothing(app, ['ticket_view'], async () => {
        expect((await app.gql(ViewsDocument, {}, token)).errors![0].extensions!.code).toBe(code);
        expect((await app.gql(CreateViewDocument, { input: { name: 'x' } }, token)).errors![0].extensions!.code).toBe(code);
        expect((await app.gql(NodeMacroOrViewDocument, { id: team.id }, token)).errors![0].extensions!.code).toBe(code);
      });
    }
    for (const token of [carol.token, keyAll]) {
      const client = wsClient(app.url, token);
      try {
        const counts = subscribe(client, OnViewCountChangedDocument, { viewIds: [team.id] });
        const [refused] = await counts.waitFor(1);
        expect(refused.data ?? null).toBeNull();
        expect(refused.errors![0].extensions!.code).toBe('FORBIDDEN');
      } finally {
        await client.dispose();
      }
    }
  });
});

describe('viewCountChanged', () => {
  it('sends the current counts, then a view’s new count after a change, from changes made on another instance', async () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379' };
    const a = await startTestApp(env);
    const b = await startTestApp(env, a);
    const staff = await make.staffUser(a);
    const shop = await make.business(a);
    const tag = `hot-${Date.now()}`;
    const tickets = await Promise.all([1, 2, 3].map(() => make.ticket(a, { business: shop, status: TicketStatus.IN_PROGRESS })));
    await make.ticket(a, { business: shop, tags: [tag] });
    const created = await a.gql(CreateViewDocument, { input: { name: 'Hot', filter: { tags: [tag] } } }, staff.token);
    const hot = created.data!.createView;
    const other = await a.gql(CreateViewDocument, { input: { name: 'Other', filter: { tags: [`${tag}-none`] } } }, staff.token);
    const client = wsClient(a.url, staff.token);
    try {
      const counts = subscribe(client, OnViewCountChangedDocument, { viewIds: [hot.id, other.data!.createView.id] });
      // The first counts arrive once the subscription listens to the timeline.
      const first = await counts.waitFor(2);
      expect(first.map((r) => [r.data!.viewCountChanged.view.name, r.data!.viewCountChanged.count])).toEqual([
        ['Hot', 1],
        ['Other', 0],
      ]);
      // A bulk change of three tickets on the other instance (three commits): the view's count climbs to 4
      // (in fewer steps when the commits fall in one gathering window); the other view's count never changes.
      const bulk = await b.gql(BulkUpdateTicketsDocument, { input: { ticketIds: tickets.map((t) => t.globalId), addTags: [tag] } }, staff.token);
      expect(bulk.data!.bulkUpdateTickets.succeeded).toBe(3);
      const hotCounts = () => counts.received.map((r) => r.data!.viewCountChanged).filter((c) => c.viewId === hot.id).map((c) => c.count);
      const untilHot = async (count: number) => {
        while (hotCounts().at(-1) !== count) await counts.waitFor(counts.received.length + 1);
      };
      await untilHot(4);
      const climb = hotCounts();
      expect(climb).toEqual([...climb].sort());
      expect(new Set(climb).size).toBe(climb.length);
      const removed = await b.gql(BulkUpdateTicketsDocument, { input: { ticketIds: [tickets[0].globalId], removeTags: [tag] } }, staff.token);
      expect(removed.data!.bulkUpdateTickets.succeeded).toBe(1);
      await untilHot(3);
      expect(counts.received.filter((r) => r.data!.viewCountChanged.viewId !== hot.id).map((r) => r.data!.viewCountChanged.count)).toEqual([0]);
    } finally {
      await client.dispose();
      await b.stop();
      await a.stop();
    }
  });
});
