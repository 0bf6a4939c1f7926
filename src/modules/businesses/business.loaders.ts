import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { entityLoader } from '../../shared/entity-loader';
import { Business } from './business.entity';
import { Contact } from './contact.entity';

/** Businesses and contacts by id, and contacts per business. Callers reach them only from visible parents. */
export function createBusinessLoaders(em: EntityManager) {
  return {
    businesses: entityLoader(em, Business),
    contacts: entityLoader(em, Contact),
    contactsByBusiness: new DataLoader<string, Contact[]>(async (businessIds) => {
      const contacts = await em.find(Contact, { business: { $in: [...businessIds] } }, { orderBy: { name: 'asc', id: 'asc' } });
      return businessIds.map((id) => contacts.filter((c) => c.business.id === id));
    }),
  };
}
