import type { EntityManager } from '@mikro-orm/postgresql';
import { denied } from './access';
import { badInput, notFound } from '../../../shared/errors';
import { idOf, LIMITS, text } from '../../../shared/validation';
import { User } from '../user.entity';
import { canAdminister } from '../user.policy';
import type { Actor } from './actor';
import { ApiKey } from './api-key.entity';
import { generateApiKey } from './api-key-secret';
import type { ApiScope } from './api-scope.enum';

/** API keys: created by admins; the secret is returned once and only its digest is stored. */
export class ApiKeyService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
  ) {}

  async get(apiKeyId: string): Promise<ApiKey> {
    const id = idOf(apiKeyId, 'ApiKey', 'id');
    const apiKey = canAdminister(this.actor) ? await this.em.findOne(ApiKey, { id }) : null;
    if (!apiKey) throw notFound('ApiKey');
    return apiKey;
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
    await this.em.flush();
    return { key: secret.key, apiKey };
  }
}
