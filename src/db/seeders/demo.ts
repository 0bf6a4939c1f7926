import type { EntityManager } from '@mikro-orm/postgresql';
import { Business } from '../../modules/businesses/business.entity';
import { Contact } from '../../modules/businesses/contact.entity';
import { Comment } from '../../modules/comments/comment.entity';
import { Tag } from '../../modules/tags/tag.entity';
import { TicketEventType } from '../../modules/tickets/ticket-event.entity';
import { Ticket } from '../../modules/tickets/ticket.entity';
import { TicketChannel, TicketPriority, TicketStatus } from '../../modules/tickets/ticket.enums';
import { recordEvent } from '../../modules/tickets/timeline';
import type { Actor } from '../../modules/users/auth/actor';
import { hashPassword } from '../../modules/users/auth/passwords';
import { User } from '../../modules/users/user.entity';
import { Role } from '../../modules/users/user.enums';
import { BusinessHours } from '../../modules/sla/business-hours.entity';
import { computeDueDates, pausesIn } from '../../modules/sla/sla-clock';
import { SlaPolicy } from '../../modules/sla/sla-policy.entity';
import { toTargets } from '../../modules/sla/sla.service';

export interface DemoLogin {
  role: Role;
  email: string;
  password: string;
}

/** The demo accounts. The passwords are public: demo data is for a local trial only. */
export const DEMO_LOGINS: DemoLogin[] = [
  { role: Role.ADMIN, email: 'admin@ticketgraph.example', password: 'demo-admin-1' },
  { role: Role.AGENT, email: 'alice@ticketgraph.example', password: 'demo-agent-1' },
  { role: Role.AGENT, email: 'bob@ticketgraph.example', password: 'demo-agent-2' },
  { role: Role.CUSTOMER, email: 'carol@acme.example', password: 'demo-customer-1' },
  { role: Role.CUSTOMER, email: 'dan@globex.example', password: 'demo-customer-2' },
];

/** True when the database holds no ticket and no staff user: a fresh install. */
export async function isEmpty(em: EntityManager): Promise<boolean> {
  return (await em.count(Ticket)) === 0 && (await em.count(User)) === 0;
}

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000);

/**
 * A small, realistic help desk: an admin, two agents, three businesses with contacts, a ticket in
 * every status, tags, and internal and external comments, each change with its timeline entry.
 */
export async function seedDemo(em: EntityManager): Promise<DemoLogin[]> {
  const [adminLogin, aliceLogin, bobLogin, carolLogin, danLogin] = DEMO_LOGINS;
  const hashes = await Promise.all(DEMO_LOGINS.map((login) => hashPassword(login.password)));

  const admin = em.create(User, { name: 'Ada Admin', email: adminLogin.email, role: Role.ADMIN, passwordHash: hashes[0] });
  const alice = em.create(User, { name: 'Alice Agent', email: aliceLogin.email, role: Role.AGENT, passwordHash: hashes[1] });
  const bob = em.create(User, { name: 'Bob Agent', email: bobLogin.email, role: Role.AGENT, passwordHash: hashes[2] });

  const acme = em.create(Business, { name: 'Acme Corporation', domain: 'acme.example', accountManager: alice });
  const globex = em.create(Business, { name: 'Globex', domain: 'globex.example', accountManager: bob });
  em.create(Business, { name: 'Initech', domain: 'initech.example' });
  const carol = em.create(Contact, { business: acme, name: 'Carol Customer', email: carolLogin.email, phone: '+1 555 0100', passwordHash: hashes[3] });
  const dan = em.create(Contact, { business: globex, name: 'Dan Customer', email: danLogin.email, passwordHash: hashes[4] });
  em.create(Contact, { business: acme, name: 'Erin Engineer', email: 'erin@acme.example' });

  const tags = Object.fromEntries(['billing', 'login', 'outage', 'feature-request'].map((name) => [name, em.create(Tag, { name })]));
  const staff = (user: User): Actor => ({ kind: 'user', id: user.id, role: user.role, name: user.name, email: user.email });
  const customer = (contact: Contact): Actor => ({ kind: 'contact', id: contact.id, businessId: contact.business.id, name: contact.name, email: contact.email });

  const [policies, hours] = await Promise.all([em.find(SlaPolicy, {}), em.findOneOrFail(BusinessHours, { id: 1 })]);
  const plans: {
    title: string;
    description: string;
    status: TicketStatus;
    priority: TicketPriority;
    channel: TicketChannel;
    age: number;
    business?: Business;
    contact?: Contact;
    assignee?: User;
    tags: string[];
    comments: { by: User | Contact; body: string; internal?: boolean }[];
    submitter?: { name: string; email: string; company: string };
  }[] = [
    {
      title: 'Cannot reset my password', description: 'The reset link in the email says it has expired, even right after I request it.',
      status: TicketStatus.UNASSIGNED, priority: TicketPriority.MEDIUM, channel: TicketChannel.WEB_FORM, age: 2, tags: ['login'], comments: [],
      submitter: { name: 'Frank Newcomer', email: 'frank@hooli.example', company: 'Hooli' },
    },
    {
      title: 'Invoice shows the wrong VAT rate', description: 'Our November invoice applies 19% VAT instead of 7% for books.',
      status: TicketStatus.OPEN, priority: TicketPriority.HIGH, channel: TicketChannel.EMAIL, age: 5, business: acme, contact: carol, tags: ['billing'],
      comments: [{ by: carol, body: 'Attached is the invoice number: INV-2026-1142.' }],
    },
    {
      title: 'Dashboard loads slowly', description: 'The reports dashboard takes 30 seconds to load since Monday.',
      status: TicketStatus.IN_PROGRESS, priority: TicketPriority.MEDIUM, channel: TicketChannel.PHONE, age: 30, business: globex, contact: dan, assignee: bob, tags: [],
      comments: [
        { by: bob, body: 'Thanks Dan, we are looking into it.' },
        { by: bob, body: 'Slow query on the reports table; checking the index.', internal: true },
      ],
    },
    {
      title: 'SSO login fails for new employees', description: 'New accounts get "user not provisioned" when signing in with SSO.',
      status: TicketStatus.WAITING_ON_CUSTOMER, priority: TicketPriority.HIGH, channel: TicketChannel.STAFF, age: 48, business: acme, contact: carol, assignee: alice, tags: ['login'],
      comments: [
        { by: alice, body: 'Could you send us the SAML response of a failing login?' },
        { by: alice, body: 'Probably the group mapping: their IdP sends "Staff" not "staff".', internal: true },
      ],
    },
    {
      title: 'Payment provider outage', description: 'Card payments fail with a timeout from the provider.',
      status: TicketStatus.WAITING_ON_THIRD_PARTY, priority: TicketPriority.URGENT, channel: TicketChannel.MONITORING, age: 3, business: globex, assignee: alice, tags: ['billing', 'outage'],
      comments: [{ by: alice, body: 'Provider incident #88123 opened; they expect a fix within the hour.', internal: true }],
    },
    {
      title: 'Export to CSV is missing columns', description: 'The ticket export has no "due date" column.',
      status: TicketStatus.RESOLVED, priority: TicketPriority.LOW, channel: TicketChannel.WEB_FORM, age: 120, business: acme, contact: carol, assignee: bob, tags: ['feature-request'],
      comments: [{ by: bob, body: 'Added in today\'s release: the export now has a due date column.' }],
    },
    {
      title: 'Change of billing address', description: 'Please use our new address from next month on.',
      status: TicketStatus.CLOSED, priority: TicketPriority.LOW, channel: TicketChannel.EMAIL, age: 300, business: globex, contact: dan, assignee: alice, tags: ['billing'],
      comments: [{ by: alice, body: 'Done: the new address is on file.' }, { by: dan, body: 'Thank you!' }],
    },
  ];

  for (const plan of plans) {
    const createdAt = hoursAgo(plan.age);
    const ticket = em.create(Ticket, {
      title: plan.title,
      description: plan.description,
      status: plan.status,
      priority: plan.priority,
      channel: plan.channel,
      business: plan.business ?? null,
      contact: plan.contact ?? null,
      assignee: plan.assignee ?? null,
      creator: plan.channel === TicketChannel.PHONE || plan.channel === TicketChannel.STAFF ? (plan.assignee ?? admin) : null,
      submitterName: plan.submitter?.name ?? null,
      submitterEmail: plan.submitter?.email ?? null,
      submittedCompanyName: plan.submitter?.company ?? null,
      createdAt,
      updatedAt: createdAt,
      resolvedAt: [TicketStatus.RESOLVED, TicketStatus.CLOSED].includes(plan.status) ? hoursAgo(plan.age / 2) : null,
      closedAt: plan.status === TicketStatus.CLOSED ? hoursAgo(plan.age / 4) : null,
      resolutionNotes: [TicketStatus.RESOLVED, TicketStatus.CLOSED].includes(plan.status) ? plan.comments[0].body : null,
    });
    ticket.tags.set(plan.tags.map((name) => tags[name]));
    // SLA clocks as the workflow would have left them: due dates from the policy, paused where the status pauses.
    const targets = toTargets(policies.find((p) => p.priority === plan.priority)!, hours);
    computeDueDates(ticket, targets);
    if (pausesIn(plan.status, targets)) ticket.slaPausedSince = ticket.resolvedAt ?? hoursAgo(plan.age / 3);
    const creatorActor: Actor = ticket.creator ? staff(ticket.creator) : { kind: 'anonymous' };
    const initial = plan.business ? TicketStatus.OPEN : TicketStatus.UNASSIGNED;
    recordEvent(em, ticket, creatorActor, TicketEventType.CREATED, { toStatus: initial, details: { channel: plan.channel } });
    if (plan.status !== initial) {
      recordEvent(em, ticket, staff(plan.assignee ?? admin), TicketEventType.STATUS_CHANGED, { fromStatus: initial, toStatus: plan.status });
    }
    for (const comment of plan.comments) {
      const byStaff = comment.by instanceof User;
      const created = em.create(Comment, {
        ticket,
        body: comment.body,
        isInternal: comment.internal ?? false,
        author: byStaff ? (comment.by as User) : null,
        authorContact: byStaff ? null : (comment.by as Contact),
        authorName: comment.by.name,
      });
      const actor = byStaff ? staff(comment.by as User) : customer(comment.by as Contact);
      recordEvent(em, ticket, actor, TicketEventType.COMMENTED, { isInternal: created.isInternal, details: { comment: created.globalId } });
    }
  }
  await em.flush();
  return DEMO_LOGINS;
}
