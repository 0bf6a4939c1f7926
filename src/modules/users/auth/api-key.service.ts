import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { denied } from './access';
import { badInput, conflict, notFound } from '../../../shared/errors';
import { newestFirst } from '../../../shared/newest-first';
import type { Page } from '../../../shared/pagination';
import { idOf, LIMITS, text } from '../../../shared/validation';
import type { AuditService } from '../../audit/audit.service';
import { AuditAction } from '../../audit/audit.enums';
import { User } from '../user.entity';
import { canAdminister } from '../user.policy';
import type { Actor } from './actor';
import { ApiKey } from './api-key.entity';
import { generateApiKey } from './api-key-secret';
import type { ApiScope } from './api-scope.enum';
import { principal, type RevocationBus } from './revocations';

/** Longest grace period of a rotated-out secret: 7 days. */
export const MAX_ROTATION_GRACE_SECONDS = 7 * 24 * 3600;

/** API keys: created, listed, rotated and revoked by admins; a secret is returned once and only its digest is stored. */
export class ApiKeyService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly audit: AuditService,
    private readonly revocations: RevocationBus,
  ) {}

  async get(apiKeyId: string): Promise<ApiKey> {
    const id = idOf(apiKeyId, 'ApiKey', 'id');
    const apiKey = canAdminister(this.actor) ? await this.em.findOne(ApiKey, { id }) : null;
    if (!apiKey) throw notFound('ApiKey');
    return apiKey;
  }

  /** Every key, revoked ones included, newest first. */
  list(args: { first?: number | null; after?: string | null }): Promise<Page<ApiKey>> {
    if (!canAdminister(this.actor)) throw denied(this.actor, 'Only admins list API keys.');
    return newestFirst(this.em, ApiKey, {}, args);
  }

  async create(input: { name: string; scopes: ApiScope[] }): Promise<{ key: string; apiKey: ApiKey }> {
    if (!canAdminister(this.actor) || this.actor.kind !== 'user') throw denied(this.actor, 'Only admins create API keys.');
    const name = text(input.name, 'name', LIMITS.name);
    const scopes = [...new Set(input.scopes)];
    if (scopes.length === 0) throw badInput('Give the key at least one scope.', 'scopes');
    const secret = generateApiKey();
    const apiKey = this.em.create(ApiKey, {
      name,
      scopes,
      prefix: secret.prefix,
      keyHash: secret.hash,
      createdBy: this.em.getReference(User, this.actor.id),
    });
    this.audit.record(this.em, AuditAction.CREATE_API_KEY, { target: { type: 'ApiKey', id: apiKey.id, name }, details: { scopes } });
    await this.em.flush();
    return { key: secret.key, apiKey };
  }

  /** Refused from the next request on; its open connections close (4403) on every instance. Revoking twice changes nothing. */
  async revoke(apiKeyId: string): Promise<ApiKey> {
    if (!canAdminister(this.actor)) throw denied(this.actor, 'Only admins revoke API keys.');
    const id = idOf(apiKeyId, 'ApiKey', 'apiKeyId');
    const apiKey = await this.em.transactional(async (em) => {
      const found = await em.findOne(ApiKey, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!found) throw notFound('ApiKey');
      if (found.revokedAt) return found;
      found.revokedAt = new Date();
      this.audit.record(em, AuditAction.REVOKE_API_KEY, { target: { type: 'ApiKey', id: found.id, name: found.name } });
      return found;
    });
    this.revocations.publish({ principals: [principal.apiKey(apiKey.id)] });
    return apiKey;
  }

  /**
   * A new secret for the key (same id, name and scopes). The old secret stays accepted for
   * `graceSeconds`, then its connections close; a secret replaced by an earlier rotation stops at once.
   */
  async rotate(input: { apiKeyId: string; graceSeconds: number }, now = new Date()): Promise<{ key: string; apiKey: ApiKey }> {
    if (!canAdminister(this.actor)) throw denied(this.actor, 'Only admins rotate API keys.');
    const id = idOf(input.apiKeyId, 'ApiKey', 'apiKeyId');
    const grace = input.graceSeconds;
    if (!Number.isInteger(grace) || grace < 0 || grace > MAX_ROTATION_GRACE_SECONDS) {
      throw badInput(`graceSeconds must be between 0 and ${MAX_ROTATION_GRACE_SECONDS} (7 days).`, 'graceSeconds');
    }
    const secret = generateApiKey();
    const { apiKey, replaced, earlier } = await this.em.transactional(async (em) => {
      const found = await em.findOne(ApiKey, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!found) throw notFound('ApiKey');
      if (found.revokedAt) throw conflict('A revoked key cannot be rotated; create a new one.');
      const hashes = { replaced: found.keyHash, earlier: found.previousKeyHash };
      em.assign(found, {
        keyHash: secret.hash,
        prefix: secret.prefix,
        previousKeyHash: grace > 0 ? found.keyHash : null,
        previousKeyExpiresAt: new Date(now.getTime() + grace * 1000),
      });
      this.audit.record(em, AuditAction.ROTATE_API_KEY, { target: { type: 'ApiKey', id: found.id, name: found.name }, details: { graceSeconds: grace } });
      return { apiKey: found, ...hashes };
    });
    if (earlier) this.revocations.publish({ principals: [principal.apiKeySecret(earlier)] });
    this.revocations.publish({ principals: [principal.apiKeySecret(replaced)], at: apiKey.previousKeyExpiresAt!.getTime() });
    return { key: secret.key, apiKey };
  }
}
