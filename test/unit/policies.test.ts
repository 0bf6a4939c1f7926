import { businessScope, canManageBusinesses, type BusinessScope } from '../../src/modules/businesses/business.policy';
import { canSeeInternal, visibleCommentFilter } from '../../src/modules/comments/comment.policy';
import { canCommentExternally, canViewTicket, canWorkOnTickets, ticketScope, type TicketScope } from '../../src/modules/tickets/ticket.policy';
import type { Actor } from '../../src/modules/users/auth/actor';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { Role } from '../../src/modules/users/user.enums';
import { canAdminister, canListUsers } from '../../src/modules/users/user.policy';
import { accessClassOf } from '../../src/modules/users/auth/access';
import { canRate } from '../../src/modules/satisfaction/satisfaction.policy';
import { canReadReports } from '../../src/modules/reports/report.policy';

/**
 * The policies are pure functions of (actor, resource): every actor kind of the DESIGN.md access table
 * (anonymous, customer, agent, admin, API keys with each relevant scope combination) is checked against
 * every policy. Actors are frozen, so a policy that mutated its input would throw.
 */

const OWN_BUSINESS = '0190a000-0000-7000-8000-000000000001';
const OTHER_BUSINESS = '0190a000-0000-7000-8000-000000000002';

const key = (...scopes: ApiScope[]): Actor =>
  Object.freeze({ kind: 'apiKey', id: `key-${scopes.join('+') || 'none'}`, name: 'Integration', scopes: Object.freeze([...scopes]) });

const ACTORS = {
  anonymous: Object.freeze({ kind: 'anonymous' }),
  customer: Object.freeze({ kind: 'contact', id: 'contact-1', businessId: OWN_BUSINESS, name: 'Carla Customer', email: 'carla@customer.example' }),
  agent: Object.freeze({ kind: 'user', id: 'user-agent', role: Role.AGENT, name: 'Alex Agent', email: 'alex@staff.example' }),
  admin: Object.freeze({ kind: 'user', id: 'user-admin', role: Role.ADMIN, name: 'Ada Admin', email: 'ada@staff.example' }),
  'key without scopes': key(),
  'key TICKETS_READ': key(ApiScope.TICKETS_READ),
  'key TICKETS_WRITE': key(ApiScope.TICKETS_WRITE),
  'key COMMENTS_INTERNAL': key(ApiScope.COMMENTS_INTERNAL),
  'key REPORTS_READ': key(ApiScope.REPORTS_READ),
  'key MONITORING': key(ApiScope.MONITORING),
  'key TICKETS_READ+TICKETS_WRITE': key(ApiScope.TICKETS_READ, ApiScope.TICKETS_WRITE),
  'key TICKETS_READ+COMMENTS_INTERNAL': key(ApiScope.TICKETS_READ, ApiScope.COMMENTS_INTERNAL),
  'key every scope': key(...Object.values(ApiScope)),
} satisfies Record<string, Actor>;

type ActorName = keyof typeof ACTORS;
const ACTOR_NAMES = Object.keys(ACTORS) as ActorName[];

/** Turns `{ actor: expected }` (which must name every actor) into it.each rows. */
function rows<T>(expected: Record<ActorName, T>): [ActorName, T][] {
  return ACTOR_NAMES.map((name) => [name, expected[name]]);
}

const ALL = { kind: 'all' } as const;
const NONE = { kind: 'none' } as const;

describe('ticketScope', () => {
  it.each(
    rows<TicketScope>({
      anonymous: NONE,
      customer: { kind: 'business', businessId: OWN_BUSINESS },
      agent: ALL,
      admin: ALL,
      'key without scopes': NONE,
      'key TICKETS_READ': ALL,
      'key TICKETS_WRITE': NONE,
      'key COMMENTS_INTERNAL': NONE,
      'key REPORTS_READ': NONE,
      'key MONITORING': NONE,
      'key TICKETS_READ+TICKETS_WRITE': ALL,
      'key TICKETS_READ+COMMENTS_INTERNAL': ALL,
      'key every scope': ALL,
    }),
  )('%s reads %j', (name, expected) => {
    expect(ticketScope(ACTORS[name])).toEqual(expected);
  });
});

describe('canViewTicket', () => {
  const own = { businessId: OWN_BUSINESS };
  const other = { businessId: OTHER_BUSINESS };
  const unlinked = { businessId: null };

  it.each(
    rows<[boolean, boolean, boolean]>({
      //                       own business, other business, no business yet
      anonymous: [false, false, false],
      customer: [true, false, false],
      agent: [true, true, true],
      admin: [true, true, true],
      'key without scopes': [false, false, false],
      'key TICKETS_READ': [true, true, true],
      'key TICKETS_WRITE': [false, false, false],
      'key COMMENTS_INTERNAL': [false, false, false],
      'key REPORTS_READ': [false, false, false],
      'key MONITORING': [false, false, false],
      'key TICKETS_READ+TICKETS_WRITE': [true, true, true],
      'key TICKETS_READ+COMMENTS_INTERNAL': [true, true, true],
      'key every scope': [true, true, true],
    }),
  )('%s: [own business, other business, unlinked] = %j', (name, expected) => {
    const actor = ACTORS[name];
    expect([canViewTicket(actor, own), canViewTicket(actor, other), canViewTicket(actor, unlinked)]).toEqual(expected);
  });

  it('agrees with ticketScope for every actor and ticket', () => {
    for (const name of ACTOR_NAMES) {
      const actor = ACTORS[name];
      const scope = ticketScope(actor);
      for (const ticket of [own, other, unlinked]) {
        const inScope = scope.kind === 'all' || (scope.kind === 'business' && scope.businessId === ticket.businessId);
        expect([name, ticket.businessId, canViewTicket(actor, ticket)]).toEqual([name, ticket.businessId, inScope]);
      }
    }
  });

  it('a customer does not see a ticket of a business whose id merely resembles its own', () => {
    expect(canViewTicket(ACTORS.customer, { businessId: OWN_BUSINESS.toUpperCase() })).toBe(false);
    expect(canViewTicket(ACTORS.customer, { businessId: '' })).toBe(false);
  });
});

describe('canWorkOnTickets (create, edit, internal comments, status, assign, link, tags, due date)', () => {
  it.each(
    rows({
      anonymous: false,
      customer: false,
      agent: true,
      admin: true,
      'key without scopes': false,
      'key TICKETS_READ': false,
      'key TICKETS_WRITE': true,
      'key COMMENTS_INTERNAL': false,
      'key REPORTS_READ': false,
      'key MONITORING': false,
      'key TICKETS_READ+TICKETS_WRITE': true,
      'key TICKETS_READ+COMMENTS_INTERNAL': false,
      'key every scope': true,
    }),
  )('%s: %s', (name, expected) => {
    expect(canWorkOnTickets(ACTORS[name])).toBe(expected);
  });
});

describe('canCommentExternally', () => {
  it.each(
    rows<[boolean, boolean, boolean]>({
      //                       own business, other business, no business yet
      anonymous: [false, false, false],
      customer: [true, false, false],
      agent: [true, true, true],
      admin: [true, true, true],
      'key without scopes': [false, false, false],
      'key TICKETS_READ': [false, false, false],
      'key TICKETS_WRITE': [true, true, true],
      'key COMMENTS_INTERNAL': [false, false, false],
      'key REPORTS_READ': [false, false, false],
      'key MONITORING': [false, false, false],
      'key TICKETS_READ+TICKETS_WRITE': [true, true, true],
      'key TICKETS_READ+COMMENTS_INTERNAL': [false, false, false],
      'key every scope': [true, true, true],
    }),
  )('%s: [own business, other business, unlinked] = %j', (name, expected) => {
    const actor = ACTORS[name];
    expect([
      canCommentExternally(actor, { businessId: OWN_BUSINESS }),
      canCommentExternally(actor, { businessId: OTHER_BUSINESS }),
      canCommentExternally(actor, { businessId: null }),
    ]).toEqual(expected);
  });
});

describe('canSeeInternal and visibleCommentFilter', () => {
  const SEES = {};
  const HIDDEN = { isInternal: false };

  it.each(
    rows<[boolean, object]>({
      anonymous: [false, HIDDEN],
      customer: [false, HIDDEN],
      agent: [true, SEES],
      admin: [true, SEES],
      'key without scopes': [false, HIDDEN],
      'key TICKETS_READ': [false, HIDDEN],
      'key TICKETS_WRITE': [false, HIDDEN],
      'key COMMENTS_INTERNAL': [true, SEES],
      'key REPORTS_READ': [false, HIDDEN],
      'key MONITORING': [false, HIDDEN],
      'key TICKETS_READ+TICKETS_WRITE': [false, HIDDEN],
      'key TICKETS_READ+COMMENTS_INTERNAL': [true, SEES],
      'key every scope': [true, SEES],
    }),
  )('%s: canSeeInternal %s, filter %j', (name, [sees, filter]) => {
    expect(canSeeInternal(ACTORS[name])).toBe(sees);
    expect(visibleCommentFilter(ACTORS[name])).toStrictEqual(filter);
  });

  it('never lets a customer see internal rows, whatever it is called', () => {
    const lookalike = { ...ACTORS.customer, role: Role.ADMIN, scopes: [ApiScope.COMMENTS_INTERNAL] } as unknown as Actor;
    expect(canSeeInternal(lookalike)).toBe(false);
    expect(visibleCommentFilter(lookalike)).toStrictEqual({ isInternal: false });
  });

  it('returns a fresh filter object each time (a caller spreading it into a query cannot poison the next one)', () => {
    const first = visibleCommentFilter(ACTORS.customer) as Record<string, unknown>;
    first.isInternal = true;
    expect(visibleCommentFilter(ACTORS.customer)).toStrictEqual({ isInternal: false });
    const staff = visibleCommentFilter(ACTORS.agent) as Record<string, unknown>;
    staff.isInternal = true;
    expect(visibleCommentFilter(ACTORS.admin)).toStrictEqual({});
  });
});

describe('businessScope', () => {
  it.each(
    rows<BusinessScope>({
      anonymous: NONE,
      customer: { kind: 'one', businessId: OWN_BUSINESS },
      agent: ALL,
      admin: ALL,
      'key without scopes': NONE,
      'key TICKETS_READ': ALL,
      'key TICKETS_WRITE': NONE,
      'key COMMENTS_INTERNAL': NONE,
      'key REPORTS_READ': NONE,
      'key MONITORING': NONE,
      'key TICKETS_READ+TICKETS_WRITE': ALL,
      'key TICKETS_READ+COMMENTS_INTERNAL': ALL,
      'key every scope': ALL,
    }),
  )('%s reads %j', (name, expected) => {
    expect(businessScope(ACTORS[name])).toEqual(expected);
  });
});

describe('canManageBusinesses', () => {
  it.each(
    rows({
      anonymous: false,
      customer: false,
      agent: true,
      admin: true,
      'key without scopes': false,
      'key TICKETS_READ': false,
      'key TICKETS_WRITE': true,
      'key COMMENTS_INTERNAL': false,
      'key REPORTS_READ': false,
      'key MONITORING': false,
      'key TICKETS_READ+TICKETS_WRITE': true,
      'key TICKETS_READ+COMMENTS_INTERNAL': false,
      'key every scope': true,
    }),
  )('%s: %s', (name, expected) => {
    expect(canManageBusinesses(ACTORS[name])).toBe(expected);
  });
});

describe('canAdminister (users, API keys, SLA policies, webhooks)', () => {
  it.each(
    rows({
      anonymous: false,
      customer: false,
      agent: false,
      admin: true,
      'key without scopes': false,
      'key TICKETS_READ': false,
      'key TICKETS_WRITE': false,
      'key COMMENTS_INTERNAL': false,
      'key REPORTS_READ': false,
      'key MONITORING': false,
      'key TICKETS_READ+TICKETS_WRITE': false,
      'key TICKETS_READ+COMMENTS_INTERNAL': false,
      'key every scope': false,
    }),
  )('%s: %s', (name, expected) => {
    expect(canAdminister(ACTORS[name])).toBe(expected);
  });

  it('a customer or a key is never an admin, even carrying an ADMIN role field', () => {
    const contactClaimingAdmin = { ...ACTORS.customer, role: Role.ADMIN } as unknown as Actor;
    const keyClaimingAdmin = { ...ACTORS['key every scope'], role: Role.ADMIN } as unknown as Actor;
    expect(canAdminister(contactClaimingAdmin)).toBe(false);
    expect(canAdminister(keyClaimingAdmin)).toBe(false);
  });
});

describe('canListUsers', () => {
  it.each(
    rows({
      anonymous: false,
      customer: false,
      agent: true,
      admin: true,
      'key without scopes': false,
      'key TICKETS_READ': true,
      'key TICKETS_WRITE': false,
      'key COMMENTS_INTERNAL': false,
      'key REPORTS_READ': false,
      'key MONITORING': false,
      'key TICKETS_READ+TICKETS_WRITE': true,
      'key TICKETS_READ+COMMENTS_INTERNAL': true,
      'key every scope': true,
    }),
  )('%s: %s', (name, expected) => {
    expect(canListUsers(ACTORS[name])).toBe(expected);
  });
});

describe('accessClassOf (subscribers of one class share one execution of their query)', () => {
  /** The same actor under another identity: another id, name and email; the same kind, role, business and scopes. */
  const twin = (actor: Actor): Actor => {
    if (actor.kind === 'user' || actor.kind === 'contact') return Object.freeze({ ...actor, id: `${actor.id}-twin`, name: 'Twin', email: 'twin@example.com' });
    if (actor.kind === 'apiKey') return Object.freeze({ ...actor, id: `${actor.id}-twin`, name: 'Twin', scopes: Object.freeze([...actor.scopes].reverse()) });
    return actor;
  };
  const policies: Record<string, (actor: Actor) => unknown> = {
    ticketScope,
    businessScope,
    canManageBusinesses,
    canSeeInternal,
    visibleCommentFilter,
    canWorkOnTickets,
    canAdminister,
    canListUsers,
    'canViewTicket (own)': (actor) => canViewTicket(actor, { businessId: OWN_BUSINESS }),
    'canViewTicket (other)': (actor) => canViewTicket(actor, { businessId: OTHER_BUSINESS }),
    'canViewTicket (unlinked)': (actor) => canViewTicket(actor, { businessId: null }),
    'canCommentExternally (own)': (actor) => canCommentExternally(actor, { businessId: OWN_BUSINESS }),
    'canCommentExternally (other)': (actor) => canCommentExternally(actor, { businessId: OTHER_BUSINESS }),
  };

  it.each(ACTOR_NAMES)('%s: a twin of another identity has the same class and every policy answers it alike', (name) => {
    const actor = ACTORS[name];
    expect(accessClassOf(twin(actor))).toBe(accessClassOf(actor));
    for (const policy of Object.values(policies)) expect(policy(twin(actor))).toEqual(policy(actor));
  });

  it('actors that any policy tells apart are in different classes', () => {
    const actors: Actor[] = [...Object.values(ACTORS), { ...ACTORS.customer, businessId: OTHER_BUSINESS }];
    for (const a of actors) {
      for (const b of actors) {
        const differ = Object.values(policies).some((policy) => JSON.stringify(policy(a)) !== JSON.stringify(policy(b)));
        if (differ) expect(accessClassOf(a)).not.toBe(accessClassOf(b));
      }
    }
  });
});

describe('canRate (satisfaction)', () => {
  const own = { contactId: 'contact-1' };
  const someoneElse = { contactId: 'contact-2' };
  it.each(
    rows<[boolean, boolean, boolean]>({
      // [own ticket without token, another's ticket without token, another's ticket with its token]
      anonymous: [false, false, true],
      customer: [true, false, true],
      agent: [false, false, false],
      admin: [false, false, false],
      'key without scopes': [false, false, false],
      'key TICKETS_READ': [false, false, false],
      'key TICKETS_WRITE': [false, false, false],
      'key COMMENTS_INTERNAL': [false, false, false],
      'key REPORTS_READ': [false, false, false],
      'key MONITORING': [false, false, false],
      'key TICKETS_READ+TICKETS_WRITE': [false, false, false],
      'key TICKETS_READ+COMMENTS_INTERNAL': [false, false, false],
      'key every scope': [false, false, false],
    }),
  )('%s', (name, expected) => {
    const actor = ACTORS[name];
    expect([canRate(actor, own, false), canRate(actor, someoneElse, false), canRate(actor, someoneElse, true)]).toEqual(expected);
  });
});

describe('canReadReports', () => {
  it.each(
    rows<boolean>({
      anonymous: false,
      customer: false,
      agent: true,
      admin: true,
      'key without scopes': false,
      'key TICKETS_READ': false,
      'key TICKETS_WRITE': false,
      'key COMMENTS_INTERNAL': false,
      'key REPORTS_READ': true,
      'key MONITORING': false,
      'key TICKETS_READ+TICKETS_WRITE': false,
      'key TICKETS_READ+COMMENTS_INTERNAL': false,
      'key every scope': true,
    }),
  )('%s', (name, expected) => expect(canReadReports(ACTORS[name])).toBe(expected));
});
