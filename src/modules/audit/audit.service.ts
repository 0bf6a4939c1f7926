import type { EntityManager } from '@mikro-orm/postgresql';
import { newestFirst } from '../../shared/newest-first';
import type { Page } from '../../shared/pagination';
import { denied } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import { canAdminister } from '../users/user.policy';
import { AuditEntry, type AuditTargetType } from './audit-entry.entity';
import { AuditAction, AuditActorType } from './audit.enums';

/** Who acted, as an audit entry stores it. */
export interface AuditActor {
  type: AuditActorType;
  id: string | null;
  name: string | null;
}

export interface AuditTarget {
  type: AuditTargetType;
  id: string;
  name: string;
}

function auditActorOf(actor: Actor): AuditActor {
  switch (actor.kind) {
    case 'user':
      return { type: AuditActorType.USER, id: actor.id, name: actor.name };
    case 'contact':
      return { type: AuditActorType.CONTACT, id: actor.id, name: actor.name };
    case 'apiKey':
      return { type: AuditActorType.API_KEY, id: actor.id, name: actor.name };
    default:
      return { type: AuditActorType.ANONYMOUS, id: null, name: null };
  }
}

/** Records admin and security actions with the request's actor and client address, and lists them for admins. */
export class AuditService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly clientAddress: string,
  ) {}

  /**
   * Adds an entry to `em` (the caller's transaction flushes it with the change). `by` replaces the
   * request's actor where the account only becomes known in the action (a login).
   */
  record(em: EntityManager, action: AuditAction, entry: { target?: AuditTarget; details?: Record<string, unknown>; by?: AuditActor } = {}): void {
    const by = entry.by ?? auditActorOf(this.actor);
    em.create(AuditEntry, {
      action,
      actorType: by.type,
      actorId: by.id,
      actorName: by.name?.slice(0, 320) ?? null,
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      targetName: entry.target?.name.slice(0, 320) ?? null,
      clientAddress: this.clientAddress.slice(0, 100),
      details: entry.details ?? {},
    });
  }

  /** Writes one entry on its own (for actions that change nothing else, such as a failed login). */
  async recordNow(action: AuditAction, entry: Parameters<AuditService['record']>[2] = {}): Promise<void> {
    const em = this.em.fork();
    this.record(em, action, entry);
    await em.flush();
  }

  /** Newest first. */
  list(args: { action?: AuditAction | null; first?: number | null; after?: string | null }): Promise<Page<AuditEntry>> {
    if (!canAdminister(this.actor)) throw denied(this.actor, 'Only admins read the audit log.');
    return newestFirst(this.em, AuditEntry, args.action ? { action: args.action } : {}, args);
  }
}
