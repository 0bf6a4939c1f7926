import { Entity, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../../shared/base.entity';
import { Contact } from '../../businesses/contact.entity';
import { User } from '../user.entity';

/** What a mailed token lets its holder do: set a first password, or a new one. */
export type TokenPurpose = 'INVITATION' | 'PASSWORD_RESET';

/**
 * A one-time token sent by mail. Only its SHA-256 is stored, so the table gives nobody a usable
 * link. Exactly one of `user` and `contact` is set. Used (or superseded by a newer one) once
 * `usedAt` is set.
 */
@Entity({ tableName: 'account_token' })
export class AccountToken extends BaseEntity<'user' | 'contact' | 'usedAt'> {
  @Property({ type: 'string', length: 16 })
  purpose!: TokenPurpose;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'cascade' })
  user: User | null = null;

  @ManyToOne(() => Contact, { nullable: true, deleteRule: 'cascade' })
  contact: Contact | null = null;

  /** Hex SHA-256 of the token. */
  @Property({ length: 64 })
  tokenHash!: string;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  usedAt: Date | null = null;
}
