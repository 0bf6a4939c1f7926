import { BulkUpdateTicketsDocument, TicketHistoryDocument } from '../__generated__/graphql';
import { TicketEvent } from '../../src/modules/tickets/ticket-event.entity';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketPriority, TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { Role } from '../../src/modules/users/user.enums';
import { toGlobalId } from '../../src/shared/global-id';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import { writesNothing } from '../setup/writes-nothing';

let app: TestApp;
let agent: make.Staff;
let admin: make.Staff;
let acme: Awaited<ReturnType<typeof make.business>>;
let carol: make.Customer;

beforeAll(async () => {
  app = await startTestApp();
  agent = await make.staffUser(app);
  admin = await make.staffUser(app, Role.ADMIN);
  acme = await make.business(app);
  carol = await make.customer(app, acme);
});
afterAll(() => app.stop());

const TABLES = ['ticket', 'ticket_event', 'comment', 'ticket_tag', 'tag'] as const;
const row = (id: string) => app.em().findOneOrFail(Ticket, { id }, { populate: ['tags'] });
const eventTypes = async (id: string) => (await app.em().find(TicketEvent, { ticket: id }, { orderBy: { position: 'asc' } })).map((e) => e.type);

describe('bulkUpdateTickets', () => {
  it('changes every ticket it may, each in its own transaction with its own timeline entries, and says per ticket why not', async () => {
    const movable = await Promise.all([1, 2, 3].map(() => make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS, tags: ['old'] })));
    const stale = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    const closed = await make.ticket(app, { business: acme, status: TicketStatus.CLOSED });
    const ids = [...movable, stale, closed].map((t) => t.globalId);

    const res = await app.gql(
      BulkUpdateTicketsDocument,
      {
        input: {
          ticketIds: [...ids, toGlobalId('Ticket', '01890000-0000-7000-8000-000000000000')],
          status: 'WAITING_ON_THIRD_PARTY' as never,
          reason: 'Vendor outage',
          assigneeId: agent.user.globalId,
          priority: 'HIGH' as never,
          addTags: ['vendor'],
          removeTags: ['OLD'],
          expectedVersions: [{ ticketId: stale.globalId, version: 7 }],
        },
      },
      admin.token,
    );
    expect(res.errors).toBeUndefined();
    const { results, succeeded, failed } = res.data!.bulkUpdateTickets;
    expect([succeeded, failed]).toEqual([3, 3]);
    expect(results.map((r) => [r.ok, r.errorCode])).toEqual([
      [true, null],
      [true, null],
      [true, null],
      [false, 'CONFLICT'],
      [false, 'INVALID_TRANSITION'],
      [false, 'NOT_FOUND'],
    ]);
    expect(results[0].ticket).toMatchObject({ status: 'WAITING_ON_THIRD_PARTY', priority: 'HIGH', assignee: { id: agent.user.globalId }, tags: [{ name: 'vendor' }] });
    expect(results[3]).toMatchObject({ ticketId: stale.globalId, ticket: null });
    expect(results[3].errorMessage).toMatch(/version 7/);

    for (const ticket of movable) {
      const now = await row(ticket.id);
      expect([now.status, now.priority, now.assignee?.id, now.tags.getItems().map((t) => t.name)]).toEqual([
        TicketStatus.WAITING_ON_THIRD_PARTY,
        TicketPriority.HIGH,
        agent.user.id,
        ['vendor'],
      ]);
      // One entry per change, on each ticket's own timeline, as the single mutations write them.
      expect(await eventTypes(ticket.id)).toEqual(['CREATED', 'STATUS_CHANGED', 'COMMENTED', 'ASSIGNED', 'PRIORITY_CHANGED', 'TAGGED']);
    }
    for (const refused of [stale, closed]) {
      expect(await eventTypes(refused.id)).toEqual(['CREATED']);
      expect((await row(refused.id)).version).toBe(1);
    }
    // The reason is an internal note: the customer sees the move, not why.
    const seen = await app.gql(TicketHistoryDocument, { id: movable[0].globalId }, carol.token);
    expect(seen.data!.ticket!.history.nodes.filter((e) => e.type === 'STATUS_CHANGED').map((e) => e.reason)).toEqual([null]);
  });

  it('rolls back all of one ticket’s changes when one of them is refused', async () => {
    // OPEN cannot move to RESOLVED; the tags and priority of that ticket stay as they were.
    const open = await make.ticket(app, { business: acme });
    const res = await app.gql(
      BulkUpdateTicketsDocument,
      { input: { ticketIds: [open.globalId], priority: 'URGENT' as never, addTags: ['x'], status: 'RESOLVED' as never, reason: 'done' } },
      agent.token,
    );
    expect(res.data!.bulkUpdateTickets.results[0]).toMatchObject({ ok: false, errorCode: 'INVALID_TRANSITION' });
    const now = await row(open.id);
    expect([now.priority, now.tags.count(), now.version]).toEqual([TicketPriority.MEDIUM, 0, 1]);
  });

  it('leaves a ticket already in the wanted status as it is, and checks each expected version', async () => {
    const t = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    const res = await app.gql(
      BulkUpdateTicketsDocument,
      { input: { ticketIds: [t.globalId], status: 'IN_PROGRESS' as never, priority: 'LOW' as never, expectedVersions: [{ ticketId: t.globalId, version: 1 }] } },
      agent.token,
    );
    expect(res.data!.bulkUpdateTickets.results[0]).toMatchObject({ ok: true, ticket: { status: 'IN_PROGRESS', priority: 'LOW', version: 2 } });
  });

  it('refuses a bad input as a whole and writes nothing', async () => {
    const t = await make.ticket(app, { business: acme });
    const many = Array.from({ length: 101 }, (_, i) => toGlobalId('Ticket', `01890000-0000-7000-8000-${String(i).padStart(12, '0')}`));
    const cases: [Record<string, unknown>, string | undefined][] = [
      [{ ticketIds: many, priority: 'LOW' }, 'ticketIds'],
      [{ ticketIds: [], priority: 'LOW' }, 'ticketIds'],
      [{ ticketIds: [t.globalId, t.globalId], priority: 'LOW' }, 'ticketIds'],
      [{ ticketIds: ['nonsense'], priority: 'LOW' }, 'ticketIds'],
      [{ ticketIds: [t.globalId] }, undefined],
      [{ ticketIds: [t.globalId], addTags: ['a'], removeTags: ['A'] }, 'removeTags'],
      [{ ticketIds: [t.globalId], assigneeId: toGlobalId('User', '01890000-0000-7000-8000-000000000000') }, 'assigneeId'],
      [{ ticketIds: [t.globalId], assigneeId: agent.user.globalId, unassign: true }, 'unassign'],
      [{ ticketIds: [t.globalId], priority: 'LOW', expectedVersions: [{ ticketId: toGlobalId('Ticket', '01890000-0000-7000-8000-000000000001'), version: 1 }] }, 'expectedVersions'],
      [{ ticketIds: [t.globalId], reason: 'why', priority: 'LOW' }, 'reason'],
      [{ ticketIds: [t.globalId], status: 'WAITING_ON_CUSTOMER', reason: 'x'.repeat(2_001) }, 'reason'],
    ];
    await writesNothing(app, TABLES, async () => {
      for (const [input, field] of cases) {
        const res = await app.gql(BulkUpdateTicketsDocument, { input: input as never }, agent.token);
        expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', ...(field && { field }) });
      }
    });
  });

  it('follows the access rules of a single change: customers and keys without TICKETS_WRITE are refused; a key sees only what it may read', async () => {
    const t = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    const input = { ticketIds: [t.globalId], priority: 'URGENT' as never };
    const readKey = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ]);
    const writeOnly = await make.apiKey(app, admin.user, [ApiScope.TICKETS_WRITE]);
    const readWrite = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ, ApiScope.TICKETS_WRITE]);
    await writesNothing(app, TABLES, async () => {
      expect((await app.gql(BulkUpdateTicketsDocument, { input }, carol.token)).errors![0].extensions!.code).toBe('FORBIDDEN');
      expect((await app.gql(BulkUpdateTicketsDocument, { input }, readKey)).errors![0].extensions!.code).toBe('FORBIDDEN');
      expect((await app.gql(BulkUpdateTicketsDocument, { input })).errors![0].extensions!.code).toBe('UNAUTHENTICATED');
      // Writing without reading: the ticket is not visible to it, so that ticket answers NOT_FOUND.
      expect((await app.gql(BulkUpdateTicketsDocument, { input }, writeOnly)).data!.bulkUpdateTickets.results[0]).toMatchObject({ ok: false, errorCode: 'NOT_FOUND' });
    });
    const byKey = await app.gql(BulkUpdateTicketsDocument, { input }, readWrite);
    expect(byKey.data!.bulkUpdateTickets.results[0]).toMatchObject({ ok: true, ticket: { priority: 'URGENT' } });
    const byAgent = await app.gql(BulkUpdateTicketsDocument, { input: { ...input, priority: 'LOW' as never } }, agent.token);
    expect(byAgent.data!.bulkUpdateTickets.results[0]).toMatchObject({ ok: true, ticket: { priority: 'LOW' } });
  });
});
