import { canManageBusinesses } from '../../src/modules/businesses/business.policy';
import { canCommentExternally, canWorkOnTickets } from '../../src/modules/tickets/ticket.policy';
import type { Actor } from '../../src/modules/users/auth/actor';
import { Role } from '../../src/modules/users/user.enums';
import { canAdminister } from '../../src/modules/users/user.policy';
import * as visibility from '../../src/modules/access/visibility';
import { accessClassOf } from '../../src/modules/users/auth/access';
import { canRate } from '../../src/modules/satisfaction/satisfaction.policy';
import { seesMailStatus } from '../../src/modules/mail/mail-status.policy';
import { canReadReports } from '../../src/modules/reports/report.policy';

/**
 * The policies are pure functions of (actor, resource): every actor kind of the DESIGN.md access table
 * (anonymous, customer, agent, admin, API keys with each relevant scope combination) is checked against
 * every policy. Actors are frozen, so a policy that mutated its input would throw. Who reads what is
 * tested in visibility.test.ts.
 */
import { ACTOR_NAMES, ACTORS, OTHER_BUSINESS, OWN_BUSINESS, rows } from './actors';

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

describe('accessClassOf (subscribers of one class share one execution of their query)', () => {
  /** The same actor under another identity: another id, name and email; the same kind, role, business and scopes. */
  const twin = (actor: Actor): Actor => {
    if (actor.kind === 'user' || actor.kind === 'contact') return Object.freeze({ ...actor, id: `${actor.id}-twin`, name: 'Twin', email: 'twin@example.com' });
    if (actor.kind === 'apiKey') return Object.freeze({ ...actor, id: `${actor.id}-twin`, name: 'Twin', scopes: Object.freeze([...actor.scopes].reverse()) });
    return actor;
  };
  const staff = { id: 'user-agent', role: Role.AGENT };
  const rules = { ticketRule: visibility.ticketRule, commentRule: visibility.commentRule, timelineRule: visibility.timelineRule, businessRule: visibility.businessRule, contactRule: visibility.contactRule };
  const policies: Record<string, (actor: Actor) => unknown> = {
    ticketScope: visibility.ticketScope,
    seesInternal: visibility.seesInternal,
    seesStaffDirectory: visibility.seesStaffDirectory,
    'seesUserPrivateFields (a staff member)': (actor) => visibility.seesUserPrivateFields(actor, staff),
    'seesReason (internal)': (actor) => visibility.seesReason(actor, { reasonInternal: true }),
    'tagRule (sql)': (actor) => [visibility.tagRule(actor).sql('g'), visibility.tagRule(actor).usedSql('tt')],
    'attachmentRule (sql, where)': (actor) => [visibility.attachmentRule(actor).sql('a'), visibility.attachmentRule(actor).where],
    ...Object.fromEntries(
      Object.entries(rules).map(([name, rule]) => [
        `${name} (sql, where, allows)`,
        (actor: Actor) => [
          rule(actor).sql('x'),
          rule(actor).where,
          ...[OWN_BUSINESS, OTHER_BUSINESS, null].flatMap((businessId) =>
            [true, false].map((isInternal) =>
              (rule(actor).allows as (row: unknown) => boolean)({ id: businessId, businessId, ticket: { businessId }, isInternal }),
            ),
          ),
        ],
      ]),
    ),
    canManageBusinesses,
    canWorkOnTickets,
    canAdminister,
    'canCommentExternally (own)': (actor) => canCommentExternally(actor, { businessId: OWN_BUSINESS }),
    'canCommentExternally (other)': (actor) => canCommentExternally(actor, { businessId: OTHER_BUSINESS }),
    'seesMailStatus (the customer contact)': (actor) => seesMailStatus(actor, { id: ACTORS.customer.id }),
  };

  it.each(ACTOR_NAMES)('%s: a twin of another identity shares the class exactly when every policy answers it alike (only contacts differ: their own mail status)', (name) => {
    const actor = ACTORS[name];
    const alike = Object.values(policies).every((policy) => JSON.stringify(policy(twin(actor))) === JSON.stringify(policy(actor)));
    expect(alike).toBe(actor.kind !== 'contact');
    expect(accessClassOf(twin(actor)) === accessClassOf(actor)).toBe(alike);
  });

  it('actors that any policy tells apart are in different classes', () => {
    const actors: Actor[] = [...Object.values(ACTORS), ...Object.values(ACTORS).map(twin), { ...ACTORS.customer, businessId: OTHER_BUSINESS }];
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
