import type { EntityManager } from '@mikro-orm/postgresql';
import { denied } from '../users/auth/access';
import { badInput } from '../../shared/errors';
import { escapeLike } from '../../shared/sql';
import { decodeCursor, encodeCursor, mapPage, pageFromRows, pageSize, type Page } from '../../shared/pagination';
import { email, idOf, LIMITS, optionalDomain, optionalIdOf, optionalText, text } from '../../shared/validation';
import type { Actor } from '../users/auth/actor';
import { checkedPassword, hashPassword } from '../users/auth/passwords';
import { User } from '../users/user.entity';
import { Business } from './business.entity';
import type { CreateBusinessInput, CreateContactInput } from './business.inputs';
import { businessRule, contactRule } from '../access/visibility';
import { findVisible } from '../access/find-visible';
import { canManageBusinesses } from './business.policy';
import { Contact } from './contact.entity';

/** Businesses and their contacts: creation (triage work) and reads limited by the business scope. */
/** A business's fields once checked. */
export interface NewBusiness {
  name: string;
  domain: string | null;
  accountManagerId: string | null;
}

export class BusinessService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
  ) {}

  get(businessId: string): Promise<Business> {
    return findVisible(this.em, Business, 'Business', businessId, businessRule(this.actor).where);
  }

  getContact(contactId: string): Promise<Contact> {
    return findVisible(this.em, Contact, 'Contact', contactId, contactRule(this.actor).where);
  }

  /**
   * Businesses by name, or, with `search`, best match first: trigram word similarity of the name (so
   * typos and word order are tolerated), or a domain starting with it. Both are served by indexes.
   */
  async list(args: { search?: string | null; first?: number | null; after?: string | null }): Promise<Page<Business>> {
    const limit = pageSize(args.first);
    const search = optionalText(args.search, 'search', LIMITS.search);
    const after = args.after ? decodeCursor(args.after, 2) : null;
    if (after && (typeof after[1] !== 'string' || typeof after[0] !== (search ? 'number' : 'string'))) {
      throw badInput('after is not a cursor from this list.', 'after');
    }
    const rule = businessRule(this.actor);
    if (!rule.where) throw denied(this.actor, 'Reading businesses needs a staff account, a customer login or an API key with TICKETS_READ.');

    const knex = this.em.getKnex();
    const base = knex('business as b');
    const visible = rule.sql('b');
    base.whereRaw(visible.sql, visible.bindings);
    // The sort key: the lower-case name, or (searching) the score rounded so that it compares exactly in a cursor.
    const key = search ? `round(greatest(similarity(b.name, ?), word_similarity(?, b.name))::numeric, 6)` : 'lower(b.name)';
    const keyBindings = search ? [search, search] : [];
    if (search) {
      // Each way of matching is its own index scan (an OR across them would scan the table): the name
      // by word similarity (pg_trgm `<%`: typos and word order tolerated), the domain by prefix.
      base.whereRaw('b.id in (select id from business where ? <% name union select id from business where lower(domain) like ?)', [
        search,
        `${escapeLike(search.toLowerCase())}%`,
      ]);
    }
    const rows = base.clone().select('b.*', knex.raw(`${key} as sort_key`, keyBindings)).limit(limit + 1);
    if (after) {
      // Searching: best score first, then id. Otherwise: alphabetical, then id.
      if (search) rows.whereRaw(`(${key} < ? or (${key} = ? and b.id > ?))`, [...keyBindings, after[0], ...keyBindings, after[0], after[1]]);
      else rows.whereRaw(`(${key}, b.id) > (?, ?)`, [after[0], after[1]]);
    }
    rows.orderByRaw(`sort_key ${search ? 'desc' : 'asc'}, b.id`);

    const found = await this.em.execute<(Record<string, unknown> & { sort_key: string })[]>(rows);
    const page = pageFromRows(
      found.map(({ sort_key, ...columns }) => ({ business: this.em.map(Business, columns as never), key: search ? Number(sort_key) : sort_key })),
      limit,
      args.after,
      (row) => encodeCursor([row.key, row.business.id]),
      async () => Number((await this.em.execute<{ count: string }[]>(base.clone().count({ count: '*' })))[0].count),
    );
    return mapPage(page, (row) => row.business);
  }

  /** Checks the fields of a new business (also used by createBusinessFromTicket). */
  checkedBusiness(input: { name: string; domain?: string | null; accountManagerId?: string | null }): NewBusiness {
    if (!canManageBusinesses(this.actor)) throw denied(this.actor, 'Only staff and API keys with TICKETS_WRITE create businesses.');
    return {
      name: text(input.name, 'name', LIMITS.name),
      domain: optionalDomain(input.domain, 'domain'),
      accountManagerId: optionalIdOf(input.accountManagerId, 'User', 'accountManagerId'),
    };
  }

  /** Inserts a checked business inside the caller's transaction. */
  async insert(em: EntityManager, fields: NewBusiness): Promise<Business> {
    const accountManager = fields.accountManagerId ? await em.findOne(User, { id: fields.accountManagerId }) : null;
    if (fields.accountManagerId && !accountManager) throw badInput('accountManagerId names no staff member.', 'accountManagerId');
    const business = em.create(Business, { name: fields.name, domain: fields.domain, accountManager });
    await em.flush();
    return business;
  }

  create(input: CreateBusinessInput): Promise<Business> {
    const fields = this.checkedBusiness(input);
    return this.em.transactional((em) => this.insert(em, fields));
  }

  async createContact(input: CreateContactInput): Promise<Contact> {
    if (!canManageBusinesses(this.actor)) throw denied(this.actor, 'Only staff and API keys with TICKETS_WRITE create contacts.');
    const businessId = idOf(input.businessId, 'Business', 'businessId');
    const fields = {
      name: text(input.name, 'name', LIMITS.name),
      email: email(input.email, 'email'),
      phone: optionalText(input.phone, 'phone', LIMITS.phone),
    };
    const passwordHash = input.password ? await hashPassword(checkedPassword(input.password, 'password')) : null;
    return this.em.transactional(async (em) => {
      const business = await em.findOne(Business, { id: businessId });
      if (!business) throw badInput('businessId names no business.', 'businessId');
      if (await em.count(Contact, { email: fields.email })) throw badInput('A contact with this email already exists.', 'email');
      const contact = em.create(Contact, { ...fields, business, passwordHash });
      await em.flush();
      return contact;
    });
  }
}
