import {
  AgentProfileDocument,
  AssignmentSuggestionsDocument,
  AutoAssignTicketDocument,
  CreateTagDocument,
  CreateTicketDocument,
  DeleteTagDocument,
  FullHistoryDocument,
  LinkTicketDocument,
  MergeTagsDocument,
  RenameTagDocument,
  SetAgentCapacityDocument,
  SetAgentExpertiseDocument,
  SetAvailabilityDocument,
  TagsWithUsageDocument,
  UpdateAssignmentPolicyDocument,
} from '../__generated__/graphql';
import { Ticket } from '../../src/modules/tickets/ticket.entity';
import { TicketStatus } from '../../src/modules/tickets/ticket.enums';
import { User } from '../../src/modules/users/user.entity';
import { Role } from '../../src/modules/users/user.enums';
import * as make from '../factories';
import { startTestApp, type TestApp } from '../setup/test-app';

let app: TestApp;
let admin: make.Staff;

beforeAll(async () => {
  app = await startTestApp();
  admin = await make.staffUser(app, Role.ADMIN);
});
afterAll(() => app.stop());

/** A fresh set of agents in a fresh app database area: each test makes its own team. */
async function team(size: number, capacity = 20) {
  const agents: make.Staff[] = [];
  for (let i = 0; i < size; i += 1) {
    const agent = await make.staffUser(app, Role.AGENT, `Agent ${String.fromCharCode(65 + i)} ${Date.now()}`);
    await app.em().nativeUpdate(User, { id: agent.user.id }, { capacity });
    agents.push(agent);
  }
  return agents;
}

/** Only these agents take tickets: everyone else is set AWAY. */
async function onlyAvailable(agents: make.Staff[]) {
  await app.em().nativeUpdate(User, { role: Role.AGENT, id: { $nin: agents.map((a) => a.user.id) } }, { availability: 'AWAY' as never });
  await app.em().nativeUpdate(User, { id: { $in: agents.map((a) => a.user.id) } }, { availability: 'AVAILABLE' as never });
}

async function autoAssign(ticket: Ticket) {
  const res = await app.gql(AutoAssignTicketDocument, { input: { ticketId: ticket.globalId } }, admin.token);
  expect(res.errors).toBeUndefined();
  return res.data!.autoAssignTicket.ticket;
}
const loads = async (agents: make.Staff[]) =>
  Promise.all(agents.map(async (a) => app.em().count(Ticket, { assignee: a.user.id, status: { $nin: [TicketStatus.RESOLVED, TicketStatus.CLOSED] } })));

describe('agent profiles', () => {
  it('expertise is set by the agent or an admin; availability by the agent; capacity by admins', async () => {
    const [alice, bob] = await team(2);
    const own = await app.gql(SetAgentExpertiseDocument, { input: { userId: alice.user.globalId, tags: ['Billing', 'billing', 'Login'] } }, alice.token);
    expect(own.data!.setAgentExpertise.expertise!.map((t) => t.name)).toEqual(['Billing', 'Login']);
    const others = await app.gql(SetAgentExpertiseDocument, { input: { userId: bob.user.globalId, tags: ['x'] } }, alice.token);
    expect(others.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect((await app.gql(SetAvailabilityDocument, { input: { availability: 'AWAY' as never } }, bob.token)).data!.setAvailability.availability).toBe('AWAY');
    expect((await app.gql(SetAgentCapacityDocument, { input: { userId: bob.user.globalId, capacity: 3 } }, bob.token)).errors![0].extensions!.code).toBe('FORBIDDEN');
    expect((await app.gql(SetAgentCapacityDocument, { input: { userId: bob.user.globalId, capacity: -1 } }, admin.token)).errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect((await app.gql(SetAgentCapacityDocument, { input: { userId: bob.user.globalId, capacity: 3 } }, admin.token)).data!.setAgentCapacity.capacity).toBe(3);

    await make.ticket(app, { business: await make.business(app), assignee: alice.user });
    const profile = await app.gql(AgentProfileDocument, { id: alice.user.globalId }, admin.token);
    expect(profile.data!.node).toMatchObject({ openTicketCount: 1, availability: 'AVAILABLE', expertise: [{ name: 'Billing' }, { name: 'Login' }] });
  });
});

describe('tag management', () => {
  it('creates, renames, merges (tickets and expertise follow) and deletes only unused tags', async () => {
    const [agent] = await team(1);
    const created = await app.gql(CreateTagDocument, { name: '  Refunds ' }, agent.token);
    expect(created.data!.createTag.name).toBe('Refunds');
    expect((await app.gql(CreateTagDocument, { name: 'REFUNDS' }, agent.token)).errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const old = await app.gql(CreateTagDocument, { name: 'money-back' }, agent.token);
    await make.ticket(app, { tags: ['money-back'] });
    await make.ticket(app, { tags: ['money-back', 'Refunds'] });
    await app.gql(SetAgentExpertiseDocument, { input: { userId: agent.user.globalId, tags: ['money-back'] } }, agent.token);

    const renamed = await app.gql(RenameTagDocument, { tagId: created.data!.createTag.id, name: 'Refund' }, agent.token);
    expect(renamed.data!.renameTag.name).toBe('Refund');
    const merged = await app.gql(MergeTagsDocument, { sourceTagId: old.data!.createTag.id, targetTagId: created.data!.createTag.id }, agent.token);
    expect(merged.data!.mergeTags).toMatchObject({ name: 'Refund', usageCount: 2 });
    const profile = await app.gql(AgentProfileDocument, { id: agent.user.globalId }, agent.token);
    expect(profile.data!.node).toMatchObject({ expertise: [{ name: 'Refund' }] });
    const names = (await app.gql(TagsWithUsageDocument, {}, agent.token)).data!.tags.map((t) => t.name);
    expect(names).not.toContain('money-back');

    expect((await app.gql(DeleteTagDocument, { tagId: created.data!.createTag.id }, agent.token)).errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    const unused = await app.gql(CreateTagDocument, { name: 'obsolete' }, agent.token);
    expect((await app.gql(DeleteTagDocument, { tagId: unused.data!.createTag.id }, agent.token)).data!.deleteTag).toBe(unused.data!.createTag.id);
    const customer = await make.customer(app, await make.business(app));
    expect((await app.gql(CreateTagDocument, { name: 'nope' }, customer.token)).errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});

describe('suggestions and automatic assignment', () => {
  it('explain the ranking, and are for staff only', async () => {
    const [expert, novice] = await team(2);
    await onlyAvailable([expert, novice]);
    await app.gql(SetAgentExpertiseDocument, { input: { userId: expert.user.globalId, tags: ['printers'] } }, admin.token);
    const ticket = await make.ticket(app, { business: await make.business(app), tags: ['Printers'] });
    const res = await app.gql(AssignmentSuggestionsDocument, { id: ticket.globalId }, admin.token);
    const [first, second] = res.data!.ticket!.assignmentSuggestions;
    expect(first.agent.id).toBe(expert.user.globalId);
    expect(first.parts).toMatchObject({ accountManager: 0, expertise: 1, workload: 1 });
    expect(first.reason).toContain('knows printers (1 of 1 tags)');
    expect(second.parts.expertise).toBe(0);
    expect(first.score).toBeGreaterThan(second.score);
    const customer = await make.customer(app, await make.business(app));
    expect((await app.gql(AssignmentSuggestionsDocument, { id: ticket.globalId }, customer.token)).errors).toBeDefined();
  });

  it('spreads 100 tickets among 5 equal agents with loads differing by at most 1', async () => {
    const agents = await team(5, 100);
    await onlyAvailable(agents);
    const shop = await make.business(app);
    for (let i = 0; i < 100; i += 1) await autoAssign(await make.ticket(app, { business: shop }));
    const counts = await loads(agents);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(100);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('gives the account manager its businesses, and an expert beats a non-expert at equal load', async () => {
    const [manager, expert, other] = await team(3);
    await onlyAvailable([manager, expert, other]);
    await app.gql(SetAgentExpertiseDocument, { input: { userId: expert.user.globalId, tags: ['vpn'] } }, admin.token);
    const managed = await make.business(app, { accountManager: manager.user });
    // The manager wins its business's tickets even against the expert and with more load.
    await make.ticket(app, { business: managed, assignee: manager.user });
    expect((await autoAssign(await make.ticket(app, { business: managed, tags: ['vpn'] }))).assignee!.id).toBe(manager.user.globalId);
    expect((await autoAssign(await make.ticket(app, { business: await make.business(app), tags: ['vpn'] }))).assignee!.id).toBe(expert.user.globalId);
  });

  it('never picks an agent who is away or at capacity; with nobody left the ticket stays unassigned and the timeline says why', async () => {
    const [away, full, free] = await team(3, 2);
    await onlyAvailable([away, full, free]);
    await app.gql(SetAvailabilityDocument, { input: { availability: 'AWAY' as never } }, away.token);
    const shop = await make.business(app);
    for (let i = 0; i < 2; i += 1) await make.ticket(app, { business: shop, assignee: full.user });
    const picks = [];
    for (let i = 0; i < 3; i += 1) picks.push((await autoAssign(await make.ticket(app, { business: shop }))).assignee?.id ?? null);
    expect(picks).toEqual([free.user.globalId, free.user.globalId, null]);
    const last = await app.em().findOneOrFail(Ticket, { business: shop.id, assignee: null }, { orderBy: { number: 'desc' } });
    const history = await app.gql(FullHistoryDocument, { id: last.globalId }, admin.token);
    expect(history.data!.ticket!.history.nodes.at(-1)).toMatchObject({ type: 'AUTO_ASSIGN_SKIPPED', reason: expect.stringContaining('is away') });
    expect(history.data!.ticket!.history.nodes.at(-1)!.reason).toContain('at capacity');
  });

  it('never pushes an agent over capacity when assignments run at the same time', async () => {
    const agents = await team(3, 4);
    await onlyAvailable(agents);
    const shop = await make.business(app);
    const tickets = await Promise.all(Array.from({ length: 16 }, () => make.ticket(app, { business: shop })));
    await Promise.all(tickets.map((t) => autoAssign(t)));
    const counts = await loads(agents);
    expect(counts).toEqual([4, 4, 4]);
    expect(await app.em().count(Ticket, { business: shop.id, assignee: null })).toBe(4);
  });

  it('assigns new and newly linked tickets automatically when the policy says so', async () => {
    const [agent] = await team(1);
    await onlyAvailable([agent]);
    const shop = await make.business(app);
    try {
      await app.gql(UpdateAssignmentPolicyDocument, { input: { autoAssignNewTickets: true, autoAssignLinkedTickets: true } }, admin.token);
      const created = await app.gql(CreateTicketDocument, { input: { title: 't', description: 'd', businessId: shop.globalId } }, admin.token);
      expect(created.data!.createTicket.ticket.assignee!.id).toBe(agent.user.globalId);
      const unassigned = await app.gql(CreateTicketDocument, { input: { title: 't', description: 'd' } }, admin.token);
      expect(unassigned.data!.createTicket.ticket.assignee).toBeNull();
      const linked = await app.gql(LinkTicketDocument, { input: { ticketId: unassigned.data!.createTicket.ticket.id, businessId: shop.globalId } }, admin.token);
      expect(linked.data!.linkTicketToBusiness.ticket.assignee!.id).toBe(agent.user.globalId);
      const byAgent = await app.gql(UpdateAssignmentPolicyDocument, { input: { autoAssignNewTickets: false } }, agent.token);
      expect(byAgent.errors![0].extensions!.code).toBe('FORBIDDEN');
    } finally {
      await app.gql(UpdateAssignmentPolicyDocument, { input: { autoAssignNewTickets: false, autoAssignLinkedTickets: false } }, admin.token);
    }
  });
});
