import type { EntityManager } from '@mikro-orm/postgresql';
import { denied } from '../users/auth/access';
import { badInput, notFound } from '../../shared/errors';
import { decodeCursor, encodeCursor, pageFromRows, pageSize, type Page } from '../../shared/pagination';
import { email, idOf, LIMITS, optionalDomain, optionalIdOf, optionalText, text } from '../../shared/validation';
import type { Actor } from '../users/auth/actor';
import { checkedPassword, hashPassword } from '../users/auth/passwords';
import { User } from '../users/user.entity';
import { Business } from './business.entity';
import type { CreateBusinessInput, CreateContactInput } from './business.inputs';
import { businessScope, canManageBusinesses } from './business.policy';
import { Contact } from './contact.entity';

/** Businesses and their contacts: creation (triage work) and reads limited by the business scope. */
export class BusinessService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
  ) {}

  async get(businessId: string): Promise<Business> {
    const id = idOf(businessId, 'Business', 'id');
    const scope = businessScope(this.actor);
    const visible = scope.kind === 'all' || (scope.kind === 'one' && scope.businessId === id);
    const business = visible ? await this.em.findOne(Business, { id }) : null;
    if (!business) throw notFound('Business');
    return business;
  }

  async getContact(contactId: string): Promise<Contact> {
    const id = idOf(contactId, 'Contact', 'id');
    const scope = businessScope(this.actor);
    const where = scope.kind === 'all' ? {} : scope.kind === 'one' ? { business: scope.businessId } : null;
    const contact = where ? await this.em.findOne(Contact, { ...where, id }) : null;
    if (!contact) throw notFound('Contact');
    return contact;
  }

  /** Businesses by name (case ignored), optionally those whose name or domain contains `search`. */
  async list(args: { search?: string | null; first?: number | null; after?: string | null }): Promise<Page<Business>> {
    const limit = pageSize(args.first);
    const search = optionalText(args.search, 'search', LIMITS.search);
    const after = args.after ? decodeCursor(args.after, 2) : null;
    if (after && (typeof after[0] !== 'string' || typeof after[1] !== 'string')) throw badInput('after is not a cursor from this list.', 'after');
    const scope = businessScope(this.actor);

    const base = this.em.getKnex()('business as b');
    if (scope.kind === 'none') throw denied(this.actor, 'Reading businesses needs a staff account, a customer login or an API key with TICKETS_READ.');
    if (scope.kind === 'one') base.where('b.id', scope.businessId);
    if (search) {
      const pattern = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      base.where((w) => w.whereRaw('b.name ilike ?', [pattern]).orWhereRaw('b.domain ilike ?', [pattern]));
    }
    const rowsQuery = base.clone().select('b.*').orderByRaw('lower(b.name), b.id').limit(limit + 1);
    if (after) rowsQuery.whereRaw('(lower(b.name), b.id) > (?, ?)', after);
    const rows = await this.em.execute<Record<string, unknown>[]>(rowsQuery);
    const businesses = rows.map((row) => this.em.map(Business, row as never));
    return pageFromRows(businesses, limit, args.after, (b) => encodeCursor([b.name.toLowerCase(), b.id]), async () => {
      const [{ count }] = await this.em.execute<{ count: string }[]>(base.clone().count({ count: '*' }));
      return Number(count);
    });
  }

  async create(input: CreateBusinessInput): Promise<Business> {
    if (!canManageBusinesses(this.actor)) throw denied(this.actor, 'Only staff and API keys with TICKETS_WRITE create businesses.');
    const name = text(input.name, 'name', LIMITS.name);
    const domain = optionalDomain(input.domain, 'domain');
    const accountManagerId = optionalIdOf(input.accountManagerId, 'User', 'accountManagerId');
    return this.em.transactional(async (em) => {
      const accountManager = accountManagerId ? await em.findOne(User, { id: accountManagerId }) : null;
      if (accountManagerId && !accountManager) throw badInput('accountManagerId names no staff member.', 'accountManagerId');
      const business = em.create(Business, { name, domain, accountManager });
      await em.flush();
      return business;
    });
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
