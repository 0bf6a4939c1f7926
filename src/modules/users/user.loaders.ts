import type { EntityManager } from '@mikro-orm/postgresql';
import { entityLoader } from '../../shared/entity-loader';
import { User } from './user.entity';

export function createUserLoaders(em: EntityManager) {
  return { users: entityLoader(em, User) };
}
