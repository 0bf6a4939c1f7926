import { Entity, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../../shared/base.entity';
import { Contact } from '../../businesses/contact.entity';
import { User } from '../user.entity';

/**
 * A login. Its id is the `sid` claim of the session token, and every request with that token
 * reads this row (with the account, in the same statement): ending a session is setting
 * `revokedAt`, and it takes effect on the next request. Exactly one of `user` and `contact` is set.
 */
@Entity({ tableName: 'auth_session' })
export class Session extends BaseEntity<'user' | 'contact' | 'revokedAt' | 'clientAddress'> {
  @ManyToOne(() => User, { nullable: true, deleteRule: 'cascade' })
  user: User | null = null;

  @ManyToOne(() => Contact, { nullable: true, deleteRule: 'cascade' })
  contact: Contact | null = null;

  /** The token's own expiry: the row is of no use after it (and is pruned at the account's next login). */
  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Property({ length: 100, nullable: true })
  clientAddress: string | null = null;
}
