import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { toGlobalId } from '../../shared/global-id';
import { AFTER_DESCRIPTION, Connection, FIRST_DESCRIPTION, toConnection } from '../../shared/pagination';
import { AuditEntry } from './audit-entry.entity';
import { AuditAction, AuditActorType } from './audit.enums';

const AuditEntryConnection = Connection(AuditEntry, 'AuditEntry');

const ACTOR_TYPE_NAMES: Partial<Record<AuditActorType, string>> = {
  [AuditActorType.USER]: 'User',
  [AuditActorType.CONTACT]: 'Contact',
  [AuditActorType.API_KEY]: 'ApiKey',
};

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Query(() => AuditEntryConnection, { description: 'The audit log of admin and security actions, newest first (admins only).' })
  async auditLog(
    @Ctx() ctx: Context,
    @Arg('action', () => AuditAction, { nullable: true, description: 'Only entries of this action.' }) action?: AuditAction,
    @Arg('first', () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first?: number,
    @Arg('after', () => String, { nullable: true, description: AFTER_DESCRIPTION }) after?: string,
  ) {
    return toConnection(await ctx.services.audit.list({ action, first, after }));
  }

  @FieldResolver(() => ID, { description: 'Opaque id of the entry.' })
  id(@Root() entry: AuditEntry): string {
    return entry.globalId;
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The id of the staff member (User), contact (Contact) or API key (ApiKey) who acted; null when anonymous.' })
  actorId(@Root() entry: AuditEntry): string | null {
    const type = ACTOR_TYPE_NAMES[entry.actorType];
    return type && entry.actorId ? toGlobalId(type, entry.actorId) : null;
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The id of the object acted on (a User, Contact or ApiKey id); null when none.' })
  targetId(@Root() entry: AuditEntry): string | null {
    return entry.targetType && entry.targetId ? toGlobalId(entry.targetType, entry.targetId) : null;
  }
}
