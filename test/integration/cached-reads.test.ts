import { ApiScope, DeactivateUserDocument, MeDocument, RevokeApiKeyDocument, Role, UpdateUserDocument } from '../__generated__/graphql';
import { TicketPriority, TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { Role as StaffRole } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { postQuery } from '../setup/raw-request';
import { statementsSent } from '../setup/query-plans';
import { startTestApp, type GraphQLResponse, type TestApp } from '../setup/test-app';

/**
 * The credential and SLA caches (auth/credential-cache.ts, sla/sla-settings.ts): a write reads neither
 * its caller nor the SLA targets once they are cached, and a change to either reaches every instance
 * at once through the change notices of PostgreSQL (two instances without Redis: nothing else links them).
 */
let a: TestApp;
let b: TestApp;
let admin: make.Staff;

beforeAll(async () => {
  a = await startTestApp();
  b = await startTestApp({}, a);
  admin = await make.staffUser(a, StaffRole.ADMIN, 'Ada Admin');
});
afterAll(async () => {
  await b.stop();
  await a.stop();
});

const CHANGE_STATUS = 'mutation($input: ChangeTicketStatusInput!) { changeTicketStatus(input: $input) { ticket { status } } }';
const TICKET = 'query($id: ID!) { ticket(id: $id) { id } }';

function codeOf(res: GraphQLResponse<unknown>): unknown {
  return res.errors?.[0]?.extensions?.code;
}

/** The SQL the server runs while `work` runs, in order (BEGIN and COMMIT included), from a settled app. */
async function statementsOf(app: TestApp, work: () => Promise<unknown>): Promise<string[]> {
  const { result } = await app.countStatements(() => statementsSent(app, work));
  return result.map((statement) => statement.sql);
}

describe('a status change', () => {
  it('runs five statements once its caller and the SLA targets are cached: begin, the ticket (locked), the timeline entry, the ticket, commit', async () => {
    const agent = await make.staffUser(a);
    const acme = await make.business(a);
    const [warm, measured] = await Promise.all(
      [1, 2].map(() => make.ticket(a, { business: acme, assignee: agent.user, status: TicketStatus.WAITING_ON_THIRD_PARTY, priority: TicketPriority.HIGH })),
    );
    const move = (ticketId: string) => postQuery(a.url, CHANGE_STATUS, { token: agent.token, variables: { input: { ticketId, status: 'IN_PROGRESS' } } });

    const first = await statementsOf(a, () => move(warm.globalId));
    expect(first.some((sql) => sql.includes('"auth_session"'))).toBe(true);
    expect(first.some((sql) => sql.includes('"sla_policy"'))).toBe(true);

    let answer: Awaited<ReturnType<typeof move>> | undefined;
    const statements = await statementsOf(a, async () => (answer = await move(measured.globalId)));
    expect(answer!.body.data).toEqual({ changeTicketStatus: { ticket: { status: 'IN_PROGRESS' } } });
    expect(statements).toEqual([
      expect.stringMatching(/^begin/i),
      expect.stringMatching(/^select .* from "ticket" .* for update/i),
      expect.stringMatching(/^insert into "ticket_event"/),
      expect.stringMatching(/^update "ticket"/),
      expect.stringMatching(/^commit/i),
    ]);
  });

  it('counts on the targets of an SLA policy changed on another instance once its notice is heard', async () => {
    const agent = await make.staffUser(a);
    const acme = await make.business(a);
    const dueOf = async () => {
      const ticket = await make.ticket(b, { business: acme, assignee: agent.user, status: TicketStatus.OPEN, priority: TicketPriority.LOW });
      const res = await postQuery(b.url, 'mutation($input: UpdateTicketInput!) { updateTicket(input: $input) { ticket { createdAt dueAt } } }', {
        token: agent.token,
        variables: { input: { ticketId: ticket.globalId, priority: 'URGENT' } },
      });
      const { createdAt, dueAt } = (res.body.data as { updateTicket: { ticket: { createdAt: string; dueAt: string } } }).updateTicket.ticket;
      return (Date.parse(dueAt) - Date.parse(createdAt)) / 60_000;
    };
    const policy = (minutes: number) =>
      postQuery(a.url, 'mutation($input: UpdateSlaPolicyInput!) { updateSlaPolicy(input: $input) { resolutionMinutes } }', {
        token: admin.token,
        variables: { input: { priority: 'URGENT', resolutionMinutes: minutes } },
      });
    const before = await dueOf();
    expect((await policy(before + 7)).body.errors).toBeUndefined();
    try {
      // Unfenced (sla-settings.ts): the notice takes a moment, so wait until instance b has heard
      // every notice committed so far; without the notice the old targets would stay.
      await b.app.settled();
      expect(await dueOf()).toBe(before + 7);
    } finally {
      await policy(before);
    }
  });
});

describe('authentication from the credential cache', () => {
  it('reads a session once: the next request of the same token runs no statement for it', async () => {
    const agent = await make.staffUser(a);
    expect((await a.gql(MeDocument, {}, agent.token)).data!.me!.id).toBe(agent.user.globalId);
    const again = await statementsOf(a, () => a.gql(MeDocument, {}, agent.token));
    expect(again.filter((sql) => sql.includes('"auth_session"'))).toEqual([]);
  });

  it('a request that reads nothing makes no ORM fork, loaders or services for its context', async () => {
    const agent = await make.staffUser(a);
    await postQuery(a.url, '{ __typename }', { token: agent.token });
    const fork = jest.spyOn(a.app.database.orm.em, 'fork');
    try {
      const res = await postQuery(a.url, '{ __typename }', { token: agent.token });
      expect(res.body.data).toEqual({ __typename: 'Query' });
      expect(fork).not.toHaveBeenCalled();
    } finally {
      fork.mockRestore();
    }
  });

  it('a key revoked on one instance is refused by the other on its very next request', async () => {
    const key = await make.apiKey(a, admin.user, [ApiScope.TICKETS_READ]);
    const ticket = await make.ticket(a);
    const read = () => postQuery(b.url, TICKET, { token: key, variables: { id: ticket.globalId } });
    expect((await read()).body.errors).toBeUndefined();
    // Served from b's cache now: no statement reads the key.
    expect((await statementsOf(b, read)).filter((sql) => sql.includes('"api_key"'))).toEqual([]);

    const [row] = await a.em().getConnection().execute<{ id: string }[]>('select id from api_key where prefix = ?', [key.slice(0, 12)]);
    const revoked = await a.gql(RevokeApiKeyDocument, { input: { apiKeyId: Buffer.from(`ApiKey:${row.id}`).toString('base64url') } }, admin.token);
    expect(revoked.errors).toBeUndefined();
    expect((await read()).body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a user deactivated on one instance is refused by the other at once; a role changed there applies at once', async () => {
    const target = await make.staffUser(b);
    const promoted = await make.staffUser(b);
    for (const staff of [target, promoted]) expect((await b.gql(MeDocument, {}, staff.token)).data!.me).toBeTruthy();

    expect((await a.gql(UpdateUserDocument, { input: { userId: promoted.user.globalId, role: Role.ADMIN } }, admin.token)).errors).toBeUndefined();
    expect((await b.gql(MeDocument, {}, promoted.token)).data!.me!.role).toBe('ADMIN');

    expect((await a.gql(DeactivateUserDocument, { input: { userId: target.user.globalId } }, admin.token)).errors).toBeUndefined();
    expect(codeOf(await b.gql(MeDocument, {}, target.token))).toBe('UNAUTHENTICATED');
  });

  it('a session ended by any SQL (not through the API) is refused by both instances at once', async () => {
    const agent = await make.staffUser(a);
    for (const app of [a, b]) expect((await app.gql(MeDocument, {}, agent.token)).data!.me).toBeTruthy();
    await a.em().getConnection().execute('update auth_session set revoked_at = now() where user_id = ?', [agent.user.id]);
    for (const app of [a, b]) expect(codeOf(await app.gql(MeDocument, {}, agent.token))).toBe('UNAUTHENTICATED');
  });

  it('forgets everything when its notices connection is lost: a change made meanwhile is not missed', async () => {
    const agent = await make.staffUser(a);
    for (const app of [a, b]) expect((await app.gql(MeDocument, {}, agent.token)).data!.me).toBeTruthy();
    const listeners = () =>
      a.em().getConnection().execute<{ pid: number }[]>(
        "select pid from pg_stat_activity where datname = current_database() and application_name = 'ticketgraph change notices'",
      );
    const lost = await listeners();
    expect(lost).toHaveLength(2);
    // Both listening connections end (and are gone) before the session ends: its notice reaches nobody.
    for (const { pid } of lost) await a.em().getConnection().execute('select pg_terminate_backend(?, 10000)', [pid]);
    await a.em().getConnection().execute('update auth_session set revoked_at = now() where user_id = ?', [agent.user.id]);
    for (const app of [a, b]) expect(codeOf(await app.gql(MeDocument, {}, agent.token))).toBe('UNAUTHENTICATED');

    // Both listen again (after a second) and cache again.
    for (let found = await listeners(); found.length < 2 || found.some((f) => lost.some((l) => l.pid === f.pid)); found = await listeners()) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const other = await make.staffUser(a);
    await a.gql(MeDocument, {}, other.token);
    expect((await statementsOf(a, () => a.gql(MeDocument, {}, other.token))).filter((sql) => sql.includes('"auth_session"'))).toEqual([]);
  });
});
