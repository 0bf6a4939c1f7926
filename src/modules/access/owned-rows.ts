import type { EntityName } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { forbidden } from '../../shared/errors';
import { isAdmin } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import { User } from '../users/user.entity';
import { findVisible } from './find-visible';
import { canManageOwned, staffOnly, usableOwnedWhere, type Owned } from './ownership';

interface OwnedRow extends Owned {
  name: string;
  updatedAt: Date;
  globalId: string;
}

/**
 * Storage of personal-or-shared rows (macros, views) under the rules of ownership.ts: listed and read
 * when shared or one's own (another agent's personal row is NOT_FOUND), made shared by admins only,
 * changed and deleted by their owner, or by admins when shared (FORBIDDEN otherwise).
 */
export class OwnedRows<T extends OwnedRow> {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly entity: EntityName<T>,
    /** The GraphQL type, for global ids and NOT_FOUND. */
    private readonly type: string,
    /** What they are called in refusals ("macros"). */
    private readonly what: string,
  ) {}

  /** Shared ones and one's own, by name. */
  list(): Promise<T[]> {
    return this.em.find(this.entity, this.usable() as never, { orderBy: { name: 'asc', id: 'asc' } as never });
  }

  get(globalId: string): Promise<T> {
    return findVisible(this.em, this.entity, this.type, globalId, this.usable());
  }

  async create(fields: Omit<T, keyof OwnedRow | 'id' | 'createdAt'> & { name: string }, shared: boolean): Promise<T> {
    const staff = staffOnly(this.actor, this.what);
    if (shared && !isAdmin(staff)) throw forbidden(`Only admins make shared ${this.what}; leave shared out for a personal one.`);
    const row = this.em.create(this.entity, { ...fields, owner: shared ? null : this.em.getReference(User, staff.id) } as never);
    await this.em.flush();
    return row;
  }

  async update(globalId: string, fields: Partial<T>): Promise<T> {
    const row = await this.managed(globalId);
    Object.assign(row, fields, { updatedAt: new Date() });
    await this.em.flush();
    return row;
  }

  /** Deletes the row; answers its global id. */
  async delete(globalId: string): Promise<string> {
    const row = await this.managed(globalId);
    await this.em.remove(row).flush();
    return row.globalId;
  }

  private usable() {
    return usableOwnedWhere(staffOnly(this.actor, this.what));
  }

  private async managed(globalId: string): Promise<T> {
    const row = await this.get(globalId);
    if (!canManageOwned(staffOnly(this.actor, this.what), row)) throw forbidden(`Only admins change shared ${this.what}.`);
    return row;
  }
}
