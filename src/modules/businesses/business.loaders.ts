import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { entityLoader } from '../../shared/entity-loader';
import { PrimedLoader } from '../../shared/primed-loader';
import { businessRule, contactRule } from '../access/visibility';
import type { Actor } from '../users/auth/actor';
import { Business } from './business.entity';
import { Contact } from './contact.entity';

const nothing = <T>() => new PrimedLoader<string, T | null>(async (ids) => ids.map(() => null));

/**
 * Businesses and contacts by id, and contacts per business, under the viewer's rule: a row it may not
 * read answers null (an empty list), whatever path reached it (a mutation payload included).
 */
export function createBusinessLoaders(em: EntityManager, actor: Actor) {
  const businesses = businessRule(actor).where;
  const contacts = contactRule(actor).where;
  return {
    businesses: businesses ? entityLoader(em, Business, businesses) : nothing<Business>(),
    contacts: contacts ? entityLoader(em, Contact, contacts) : nothing<Contact>(),
    contactsByBusiness: new DataLoader<string, Contact[]>(async (businessIds) => {
      const found = contacts ? await em.find(Contact, { $and: [contacts, { business: { $in: [...businessIds] } }] } as never, { orderBy: { name: 'asc', id: 'asc' } }) : [];
      return businessIds.map((id) => found.filter((c) => c.business.id === id));
    }),
  };
}
