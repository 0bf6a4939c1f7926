import {
  allOf,
  attachmentRule,
  businessRule,
  commentRule,
  contactRule,
  seesInternal,
  seesReason,
  seesStaffDirectory,
  seesUserPrivateFields,
  tagRule,
  ticketRule,
  ticketScope,
  timelineRule,
  type TicketScope,
} from '../../src/modules/access/visibility';
import type { Actor } from '../../src/modules/users/auth/actor';
import { ApiScope } from '../../src/modules/users/auth/api-scope.enum';
import { Role } from '../../src/modules/users/user.enums';
import { ACTOR_NAMES, ACTORS, ALL, NONE, OTHER_BUSINESS, OWN_BUSINESS, rows, type ActorName } from './actors';

/**
 * The one visibility module, for every actor of the access table: which tickets, businesses,
 * contacts, comments, timeline entries, attachments, tags, reasons and staff fields it sees, and that
 * each rule's three forms (SQL with bindings, ORM filter, in-memory check) say the same thing.
 */

/** Who reads tickets: all of them, one business's, or none. */
const SCOPES = rows<TicketScope>({
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
});

/** Who reads internal content (comments, timeline entries, reasons). */
const INTERNAL = rows<boolean>({
  anonymous: false,
  customer: false,
  agent: true,
  admin: true,
  'key without scopes': false,
  'key TICKETS_READ': false,
  'key TICKETS_WRITE': false,
  'key COMMENTS_INTERNAL': true,
  'key REPORTS_READ': false,
  'key MONITORING': false,
  'key TICKETS_READ+TICKETS_WRITE': false,
  'key TICKETS_READ+COMMENTS_INTERNAL': true,
  'key every scope': true,
});

/** Who reads the staff directory (staff emails, capacity, availability, load, expertise). */
const DIRECTORY = rows<boolean>({
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
});

const OWN = { businessId: OWN_BUSINESS };
const OTHER = { businessId: OTHER_BUSINESS };
const UNLINKED = { businessId: null };

describe('ticketScope', () => {
  it.each(SCOPES)('%s reads %j', (name, expected) => expect(ticketScope(ACTORS[name])).toEqual(expected));
});

describe('ticketRule: SQL, ORM filter and in-memory check of one scope', () => {
  it.each(SCOPES)('%s', (name, scope) => {
    const rule = ticketRule(ACTORS[name]);
    const seen = [OWN, OTHER, UNLINKED].map((ticket) => rule.allows(ticket));
    if (scope.kind === 'all') {
      expect([rule.sql('t'), rule.where, seen]).toEqual([{ sql: 'true', bindings: [] }, {}, [true, true, true]]);
    } else if (scope.kind === 'none') {
      expect([rule.sql('t'), rule.where, seen]).toEqual([{ sql: 'false', bindings: [] }, null, [false, false, false]]);
    } else {
      expect([rule.sql('t'), rule.where, seen]).toEqual([
        { sql: 't.business_id = ?', bindings: [OWN_BUSINESS] },
        { business: OWN_BUSINESS },
        [true, false, false],
      ]);
    }
  });

  it('a customer does not see a ticket of a business whose id merely resembles its own', () => {
    expect(ticketRule(ACTORS.customer).allows({ businessId: OWN_BUSINESS.toUpperCase() })).toBe(false);
    expect(ticketRule(ACTORS.customer).allows({ businessId: '' })).toBe(false);
  });

  it('refuses an alias that is not a plain identifier (aliases come from code; this guards a slip)', () => {
    expect(() => ticketRule(ACTORS.customer).sql('t; drop table ticket')).toThrow('not an SQL identifier');
  });
});

describe.each([
  ['commentRule', commentRule],
  ['timelineRule', timelineRule],
] as const)('%s: rows on a ticket with an internal flag', (_rule, rule) => {
  it.each(ACTOR_NAMES)('%s', (name) => {
    const actor = ACTORS[name];
    const scope = ticketScope(actor);
    const internal = seesInternal(actor);
    const r = rule(actor);
    for (const ticket of [OWN, OTHER, UNLINKED]) {
      for (const isInternal of [false, true]) {
        expect([ticket, isInternal, r.allows({ ticket, isInternal })]).toEqual([ticket, isInternal, ticketRule(actor).allows(ticket) && (internal || !isInternal)]);
      }
    }
    const onTicket =
      scope.kind === 'business'
        ? [{ sql: 'exists (select 1 from ticket vt where vt.id = c.ticket_id and vt.business_id = ?)', bindings: [OWN_BUSINESS] }]
        : [];
    const expected = scope.kind === 'none' ? { sql: 'false', bindings: [] } : allOf(...onTicket, internal ? { sql: 'true', bindings: [] } : { sql: 'c.is_internal = false', bindings: [] });
    expect(r.sql('c')).toEqual(expected);
    const where = scope.kind === 'none' ? null : { ...(scope.kind === 'business' ? { ticket: { business: OWN_BUSINESS } } : {}), ...(internal ? {} : { isInternal: false }) };
    expect(r.where).toEqual(where);
  });
});

describe('seesInternal', () => {
  it.each(INTERNAL)('%s: %s', (name, expected) => expect(seesInternal(ACTORS[name])).toBe(expected));

  it('never lets a customer see internal rows, whatever it is called', () => {
    const lookalike = { ...ACTORS.customer, role: Role.ADMIN, scopes: [ApiScope.COMMENTS_INTERNAL] } as unknown as Actor;
    expect(seesInternal(lookalike)).toBe(false);
    expect(commentRule(lookalike).where).toEqual({ ticket: { business: OWN_BUSINESS }, isInternal: false });
  });

  it('returns a fresh filter object each time (a caller spreading it into a query cannot poison the next one)', () => {
    const first = commentRule(ACTORS.customer).where as Record<string, unknown>;
    first.isInternal = true;
    expect(commentRule(ACTORS.customer).where).toEqual({ ticket: { business: OWN_BUSINESS }, isInternal: false });
  });
});

describe('seesReason: a move is always visible, an internal reason only to those who read internal content', () => {
  it.each(INTERNAL)('%s: internal reason %s, customer-visible reason always', (name, internal) => {
    expect([seesReason(ACTORS[name], { reasonInternal: true }), seesReason(ACTORS[name], { reasonInternal: false })]).toEqual([internal, true]);
  });

  it('an internal reason does not make a status change internal', () => {
    // The entry's own flag is separate: the customer's timeline keeps the move.
    expect(timelineRule(ACTORS.customer).allows({ ticket: OWN, isInternal: false })).toBe(true);
    expect(seesReason(ACTORS.customer, { reasonInternal: true })).toBe(false);
  });
});

describe('attachmentRule', () => {
  it.each(ACTOR_NAMES)('%s', (name) => {
    const actor = ACTORS[name];
    const rule = attachmentRule(actor);
    const internal = seesInternal(actor);
    for (const ticket of [OWN, OTHER, UNLINKED]) {
      for (const comment of [null, { isInternal: false }, { isInternal: true }]) {
        expect(rule.allows({ ticket, comment })).toBe(ticketRule(actor).allows(ticket) && (internal || !comment?.isInternal));
      }
    }
    if (ticketScope(actor).kind === 'none') expect([rule.sql('a'), rule.where]).toEqual([{ sql: 'false', bindings: [] }, null]);
    if (!internal && ticketScope(actor).kind !== 'none') {
      expect(rule.sql('a').sql).toContain('not exists (select 1 from comment vc where vc.id = a.comment_id and vc.is_internal)');
      expect(rule.where).toMatchObject({ $or: [{ comment: null }, { comment: { isInternal: false } }] });
    }
  });
});

describe('businessRule and contactRule', () => {
  it.each(SCOPES)('%s', (name, scope) => {
    const actor = ACTORS[name];
    const businesses = businessRule(actor);
    const contacts = contactRule(actor);
    const seen = [OWN_BUSINESS, OTHER_BUSINESS].map((id) => [businesses.allows({ id }), contacts.allows({ businessId: id })]);
    if (scope.kind === 'all') {
      expect([businesses.sql('b'), businesses.where, contacts.sql('c'), contacts.where, seen]).toEqual([
        { sql: 'true', bindings: [] },
        {},
        { sql: 'true', bindings: [] },
        {},
        [[true, true], [true, true]],
      ]);
    } else if (scope.kind === 'none') {
      expect([businesses.where, contacts.where, seen]).toEqual([null, null, [[false, false], [false, false]]]);
    } else {
      expect([businesses.sql('b'), businesses.where, contacts.sql('c'), contacts.where, seen]).toEqual([
        { sql: 'b.id = ?', bindings: [OWN_BUSINESS] },
        { id: OWN_BUSINESS },
        { sql: 'c.business_id = ?', bindings: [OWN_BUSINESS] },
        { business: OWN_BUSINESS },
        [[true, true], [false, false]],
      ]);
    }
  });
});

describe('tagRule: tags and their counts over visible tickets only', () => {
  it.each(SCOPES)('%s', (name, scope) => {
    const rule = tagRule(ACTORS[name]);
    if (scope.kind === 'all') expect([rule.sql('g'), rule.usedSql('tt')]).toEqual([{ sql: 'true', bindings: [] }, { sql: 'true', bindings: [] }]);
    if (scope.kind === 'none') expect([rule.sql('g'), rule.usedSql('tt')]).toEqual([{ sql: 'false', bindings: [] }, { sql: 'false', bindings: [] }]);
    if (scope.kind === 'business') {
      expect(rule.sql('g')).toEqual({
        sql: 'exists (select 1 from ticket_tag vtt join ticket vt on vt.id = vtt.ticket_id where vtt.tag_id = g.id and vt.business_id = ?)',
        bindings: [OWN_BUSINESS],
      });
      expect(rule.usedSql('tt')).toEqual({ sql: 'exists (select 1 from ticket vt where vt.id = tt.ticket_id and vt.business_id = ?)', bindings: [OWN_BUSINESS] });
    }
  });
});

describe('staff fields: the directory, or one’s own account', () => {
  it.each(DIRECTORY)('%s reads the staff directory: %s', (name, expected) => expect(seesStaffDirectory(ACTORS[name])).toBe(expected));

  const staffMember = { id: 'user-other', role: Role.AGENT };
  it.each(DIRECTORY)('%s reads another staff member’s private fields: %s', (name, expected) => {
    expect(seesUserPrivateFields(ACTORS[name], staffMember)).toBe(expected);
  });

  it('an agent reads its own account; a customer its own (as role CUSTOMER), never a staff account that shares its id', () => {
    expect(seesUserPrivateFields(ACTORS.agent, { id: 'user-agent', role: Role.AGENT })).toBe(true);
    expect(seesUserPrivateFields(ACTORS.customer, { id: 'contact-1', role: Role.CUSTOMER })).toBe(true);
    expect(seesUserPrivateFields(ACTORS.customer, { id: 'contact-1', role: Role.AGENT })).toBe(false);
    expect(seesUserPrivateFields(ACTORS.customer, { id: 'contact-2', role: Role.CUSTOMER })).toBe(false);
  });

  it.each(['anonymous', 'key MONITORING', 'key TICKETS_WRITE'] satisfies ActorName[])('%s reads no account’s private fields', (name) => {
    expect(seesUserPrivateFields(ACTORS[name], { id: 'contact-1', role: Role.CUSTOMER })).toBe(false);
  });
});

describe('allOf', () => {
  it('joins conditions and their bindings in order; true drops out, false wins', () => {
    expect(allOf({ sql: 'a = ?', bindings: ['1'] }, { sql: 'true', bindings: [] }, { sql: 'b = ?', bindings: ['2'] })).toEqual({
      sql: '(a = ?) and (b = ?)',
      bindings: ['1', '2'],
    });
    expect(allOf({ sql: 'a = ?', bindings: ['1'] }, { sql: 'false', bindings: [] })).toEqual({ sql: 'false', bindings: [] });
    expect(allOf()).toEqual({ sql: 'true', bindings: [] });
  });
});
