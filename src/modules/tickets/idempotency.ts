import type { EntityManager } from '@mikro-orm/postgresql';
import type { Actor } from '../users/auth/actor';
import { Ticket } from './ticket.entity';

/** Idempotency keys are per caller: two integrations may use the same key without meeting. */
export function actorKey(actor: Actor): string {
  return 'id' in actor ? `${actor.kind}:${actor.id}` : actor.kind;
}

/** The ticket an earlier request with this key created, if any. */
export async function findIdempotent(em: EntityManager, owner: string, key: string): Promise<Ticket | null> {
  const [row] = await em.execute<{ ticket_id: string }[]>('select ticket_id from idempotency_key where owner = ? and key = ?', [owner, key]);
  return row ? em.findOneOrFail(Ticket, { id: row.ticket_id }) : null;
}

/** Remembers the result; a concurrent twin fails on the primary key and retries into findIdempotent. */
export async function rememberIdempotent(em: EntityManager, owner: string, key: string, ticket: Ticket): Promise<void> {
  await em.execute('insert into idempotency_key (owner, key, ticket_id, created_at) values (?, ?, ?, now())', [owner, key, ticket.id]);
}
