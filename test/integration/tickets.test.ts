import { CreateTicketDocument, TicketBoardDocument, TicketsDocument } from '../__generated__/graphql';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

describe('createTicket', () => {
  it('opens a ticket for a business as OPEN, with the staff member as creator', async () => {
    const agent = await make.staffUser(app);
    const acme = await make.business(app);
    const res = await app.gql(
      CreateTicketDocument,
      { input: { title: 'Printer on fire', description: 'Smoke everywhere', businessId: acme.globalId, tags: ['Hardware', 'hardware'] } },
      agent.token,
    );
    expect(res.errors).toBeUndefined();
    const ticket = res.data!.createTicket.ticket;
    expect(ticket).toMatchObject({ status: 'OPEN', channel: 'STAFF', priority: 'MEDIUM', version: 1, creator: { name: agent.user.name } });
    expect(ticket.tags).toEqual([{ name: 'Hardware' }]);
  });
});

describe('tickets page', () => {
  it('costs the same number of statements at 10 and at 100 rows', async () => {
    const agent = await make.staffUser(app);
    const manager = await make.staffUser(app);
    const acme = await make.business(app, { accountManager: manager.user });
    for (let i = 0; i < 100; i += 1) {
      const t = await make.ticket(app, { business: acme, assignee: agent.user });
      await make.comment(app, t, agent.user, 'hello', false);
    }
    await app.gql(TicketBoardDocument, { first: 1 }, agent.token); // the first request also reads the session
    const small = await app.countStatements(() => app.gql(TicketBoardDocument, { first: 10 }, agent.token));
    const large = await app.countStatements(() => app.gql(TicketBoardDocument, { first: 100 }, agent.token));
    expect(small.result.errors).toBeUndefined();
    expect(large.result.data!.tickets.nodes).toHaveLength(100);
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBeLessThanOrEqual(10);
  });

  it('pages without overlap', async () => {
    const agent = await make.staffUser(app);
    const first = await app.gql(TicketsDocument, { first: 5 }, agent.token);
    const second = await app.gql(TicketsDocument, { first: 5, after: first.data!.tickets.pageInfo.endCursor }, agent.token);
    const ids = [...first.data!.tickets.nodes, ...second.data!.tickets.nodes].map((n) => n.id);
    expect(new Set(ids).size).toBe(10);
  });
});
