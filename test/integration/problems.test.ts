import {
  ChangeProblemTicketsDocument,
  CreateProblemDocument,
  MergeViewDocument,
  NodeTicketDocument,
  ProblemByIdDocument,
  ProblemTicketCountsDocument,
  ProblemsDocument,
  TicketProblemsDocument,
  UpdateProblemDocument,
  type CreateProblemInput,
} from '../__generated__/graphql';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';
import { writesNothing } from '../setup/writes-nothing';

const TABLES = ['problem', 'problem_ticket', 'ticket_event', 'comment'] as const;

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

const create = (input: CreateProblemInput, token = agent.token) => app.gql(CreateProblemDocument, { input }, token);

describe('createProblem', () => {
  it('from ticket ids: INVESTIGATING, with its tickets, counts and an internal PROBLEM_CHANGED entry on each', async () => {
    const [a, b] = [await make.ticket(app, { business: acme }), await make.ticket(app, { business: acme, status: TicketStatus.RESOLVED })];
    const result = await create({ title: 'Switch on floor 3 drops packets', ticketIds: [a.globalId, b.globalId], rootCause: 'Unknown yet' });
    expect(result.errors).toBeUndefined();
    expect(result.data!.createProblem.problem).toMatchObject({
      status: 'INVESTIGATING',
      rootCause: 'Unknown yet',
      ticketCount: 2,
      openTicketCount: 1,
      creator: { name: agent.user.name },
      tickets: { totalCount: 2, nodes: [{ id: a.globalId }, { id: b.globalId }] },
    });
    const history = (await app.gql(MergeViewDocument, { id: a.globalId }, agent.token)).data!.ticket!.history.nodes;
    expect(history.find((e) => e.type === 'PROBLEM_CHANGED')).toMatchObject({ isInternal: true, details: { linked: true, title: 'Switch on floor 3 drops packets' } });
    const customerHistory = (await app.gql(MergeViewDocument, { id: a.globalId }, carol.token)).data!.ticket!.history.nodes;
    expect(customerHistory.some((e) => e.type === 'PROBLEM_CHANGED')).toBe(false);
  });

  it('from a recurring-issues title cluster (its variants, case-blind, within a period) or from a tag', async () => {
    const jams = [await make.ticket(app, { title: 'Printer jam on floor 3' }), await make.ticket(app, { title: 'printer JAM on floor 3' }), await make.ticket(app, { title: 'Printer jammed, 2nd floor' })];
    await make.ticket(app, { title: 'Printer jam on floor 3', createdAt: new Date('2020-01-01T00:00:00Z') });
    await make.ticket(app, { title: 'VPN down' });
    const fromTitles = await create({
      title: 'Printers jam',
      fromCluster: { titles: ['Printer jam on floor 3', 'Printer jammed, 2nd floor'], createdAfter: '2026-01-01T00:00:00Z' },
    });
    expect(fromTitles.errors).toBeUndefined();
    expect(fromTitles.data!.createProblem.problem.tickets.nodes.map((t) => t.id).sort()).toEqual(jams.map((t) => t.globalId).sort());

    const tagged = [await make.ticket(app, { tags: ['vpn-outage'] }), await make.ticket(app, { tags: ['vpn-outage', 'urgent'] })];
    const fromTag = await create({ title: 'VPN outage', fromCluster: { tag: 'vpn-outage' } });
    expect(fromTag.data!.createProblem.problem.tickets.nodes.map((t) => t.id).sort()).toEqual(tagged.map((t) => t.globalId).sort());
  });

  it('refuses bad input and writes nothing', async () => {
    const a = await make.ticket(app, { business: acme });
    const cases: [CreateProblemInput, string][] = [
      [{ title: 'x' }, 'BAD_USER_INPUT'],
      [{ title: 'x', ticketIds: [a.globalId], fromCluster: { tag: 'y' } }, 'BAD_USER_INPUT'],
      [{ title: ' ', ticketIds: [a.globalId] }, 'BAD_USER_INPUT'],
      [{ title: 'x', fromCluster: { tag: 'no-such-tag-anywhere' } }, 'BAD_USER_INPUT'],
      [{ title: 'x', fromCluster: { tag: 'a', titles: ['b'] } }, 'BAD_USER_INPUT'],
      [{ title: 'x', ticketIds: [a.globalId, new Ticket().globalId] }, 'NOT_FOUND'],
    ];
    for (const [input, code] of cases) {
      const refused = await writesNothing(app, TABLES, () => create(input));
      expect(refused.errors![0].extensions!.code).toBe(code);
    }
  });
});

describe('who sees problems', () => {
  it('customers get FORBIDDEN everywhere: query, list, node, a ticket’s problems, the report, and every mutation', async () => {
    const a = await make.ticket(app, { business: acme });
    const problem = (await create({ title: 'Internal matter', ticketIds: [a.globalId] })).data!.createProblem.problem;
    const code = (result: { errors?: readonly { extensions?: Record<string, unknown> }[] }) => result.errors?.[0]?.extensions?.code;
    expect(code(await app.gql(ProblemByIdDocument, { id: problem.id }, carol.token))).toBe('FORBIDDEN');
    expect(code(await app.gql(ProblemsDocument, {}, carol.token))).toBe('FORBIDDEN');
    expect(code(await app.gql(NodeTicketDocument, { id: problem.id }, carol.token))).toBe('FORBIDDEN');
    const nested = await app.gql(TicketProblemsDocument, { id: a.globalId }, carol.token);
    expect(code(nested)).toBe('FORBIDDEN');
    expect(nested.data!.ticket!.problems).toBeNull();
    expect(code(await app.gql(ProblemTicketCountsDocument, {}, carol.token))).toBe('FORBIDDEN');
    expect(code(await writesNothing(app, TABLES, () => create({ title: 'x', ticketIds: [a.globalId] }, carol.token)))).toBe('FORBIDDEN');
    expect(code(await writesNothing(app, TABLES, () => app.gql(UpdateProblemDocument, { input: { problemId: problem.id, status: 'FIXED' as never } }, carol.token)))).toBe('FORBIDDEN');
    expect(code(await app.gql(UpdateProblemDocument, { input: { problemId: problem.id, status: 'FIXED' as never } }, admin.token))).toBeUndefined();
  });

  it('API keys: TICKETS_READ alone is refused; with COMMENTS_INTERNAL it reads; writing also needs TICKETS_WRITE; the report also needs REPORTS_READ', async () => {
    const a = await make.ticket(app, { business: acme });
    const problem = (await create({ title: 'Key matter', ticketIds: [a.globalId] })).data!.createProblem.problem;
    const plain = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ, ApiScope.TICKETS_WRITE]);
    const reader = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ, ApiScope.COMMENTS_INTERNAL]);
    const writer = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ, ApiScope.COMMENTS_INTERNAL, ApiScope.TICKETS_WRITE]);
    const reporter = await make.apiKey(app, admin.user, [ApiScope.TICKETS_READ, ApiScope.COMMENTS_INTERNAL, ApiScope.REPORTS_READ]);
    expect((await app.gql(ProblemByIdDocument, { id: problem.id }, plain)).errors![0].extensions!.code).toBe('FORBIDDEN');
    expect((await app.gql(ProblemByIdDocument, { id: problem.id }, reader)).data!.problem!.title).toBe('Key matter');
    expect((await app.gql(TicketProblemsDocument, { id: a.globalId }, reader)).data!.ticket!.problems!.map((p) => p.id)).toContain(problem.id);
    expect((await create({ title: 'x', ticketIds: [a.globalId] }, reader)).errors![0].extensions!.code).toBe('FORBIDDEN');
    expect((await create({ title: 'By key', ticketIds: [a.globalId] }, writer)).data!.createProblem.problem.creator).toBeNull();
    expect((await app.gql(ProblemTicketCountsDocument, {}, reader)).errors![0].extensions!.code).toBe('FORBIDDEN');
    expect((await app.gql(ProblemTicketCountsDocument, {}, reporter)).errors).toBeUndefined();
  });
});

describe('updateProblem', () => {
  it('KNOWN_ERROR with a root cause, then FIXED with a message: an external comment on every open linked ticket only, entries on all', async () => {
    const open = await make.ticket(app, { business: acme, status: TicketStatus.IN_PROGRESS });
    const waiting = await make.ticket(app, { business: acme, status: TicketStatus.WAITING_ON_CUSTOMER });
    const resolved = await make.ticket(app, { business: acme, status: TicketStatus.RESOLVED });
    const problem = (await create({ title: 'Mail delays', ticketIds: [open.globalId, waiting.globalId, resolved.globalId] })).data!.createProblem.problem;

    const known = await app.gql(UpdateProblemDocument, { input: { problemId: problem.id, status: 'KNOWN_ERROR' as never, rootCause: 'Greylisting at the relay', expectedVersion: 1 } }, agent.token);
    expect(known.data!.updateProblem.problem).toMatchObject({ status: 'KNOWN_ERROR', rootCause: 'Greylisting at the relay', version: 2, fixedAt: null });

    const stale = await writesNothing(app, TABLES, () => app.gql(UpdateProblemDocument, { input: { problemId: problem.id, title: 'x', expectedVersion: 1 } }, agent.token));
    expect(stale.errors![0].extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    const messageWithoutFix = await writesNothing(app, TABLES, () =>
      app.gql(UpdateProblemDocument, { input: { problemId: problem.id, customerMessage: 'Fixed!' } }, agent.token),
    );
    expect(messageWithoutFix.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'customerMessage' });

    const fixed = await app.gql(
      UpdateProblemDocument,
      { input: { problemId: problem.id, status: 'FIXED' as never, customerMessage: 'The relay is fixed; mail arrives at once again.' } },
      agent.token,
    );
    expect(fixed.data!.updateProblem.problem).toMatchObject({ status: 'FIXED', openTicketCount: 2 });
    expect(fixed.data!.updateProblem.problem.fixedAt).not.toBeNull();
    for (const [ticket, told] of [[open, true], [waiting, true], [resolved, false]] as const) {
      const seen = (await app.gql(MergeViewDocument, { id: ticket.globalId }, carol.token)).data!.ticket!;
      expect(seen.comments.nodes.some((c) => c.body === 'The relay is fixed; mail arrives at once again.' && !c.isInternal)).toBe(told);
      const entries = (await app.gql(MergeViewDocument, { id: ticket.globalId }, agent.token)).data!.ticket!.history.nodes.filter((e) => e.type === 'PROBLEM_CHANGED');
      expect(entries.map((e) => e.details.status ?? null)).toEqual([null, { from: 'INVESTIGATING', to: 'KNOWN_ERROR' }, { from: 'KNOWN_ERROR', to: 'FIXED' }]);
    }
  });
});

describe('tickets per problem', () => {
  it('changeProblemTickets adds and removes, and the report counts tickets and open tickets per problem, most first', async () => {
    const tickets = [
      await make.ticket(app, { business: acme }),
      await make.ticket(app, { business: acme }),
      await make.ticket(app, { business: acme, status: TicketStatus.CLOSED }),
    ];
    const big = (await create({ title: 'Big one', ticketIds: [tickets[0].globalId] })).data!.createProblem.problem;
    const changed = await app.gql(
      ChangeProblemTicketsDocument,
      { input: { problemId: big.id, addTicketIds: tickets.map((t) => t.globalId), removeTicketIds: [tickets[0].globalId] } },
      agent.token,
    );
    expect(changed.data!.changeProblemTickets.problem).toMatchObject({ ticketCount: 2, openTicketCount: 1, version: 2 });

    const report = await app.gql(ProblemTicketCountsDocument, {}, agent.token);
    expect(report.errors).toBeUndefined();
    const rows = report.data!.problemTicketCounts;
    expect(rows.find((row) => row.problem.id === big.id)).toMatchObject({ tickets: 2, openTickets: 1 });
    const counts = rows.map((row) => row.tickets);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    const fixedOnly = await app.gql(ProblemTicketCountsDocument, { status: ['FIXED' as never] }, agent.token);
    expect(fixedOnly.data!.problemTicketCounts.every((row) => row.problem.id !== big.id)).toBe(true);

    const page = await app.gql(ProblemsDocument, { first: 2 }, agent.token);
    expect(page.data!.problems.nodes).toHaveLength(2);
    const next = await app.gql(ProblemsDocument, { first: 100, after: page.data!.problems.pageInfo.endCursor }, agent.token);
    expect(next.data!.problems.nodes.length + 2).toBe(page.data!.problems.totalCount);
  });
});
