import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { pgArray } from '../../shared/sql';
import { attachmentRule } from '../access/visibility';
import type { Actor } from '../users/auth/actor';
import { Attachment } from './attachment.entity';

/**
 * A ticket's attachments, oldest first (in message order within one message), for many tickets in one
 * query, under the viewer's rule: its tickets only, and none that came with a comment it may not read.
 */
export function createAttachmentLoaders(em: EntityManager, actor: Actor) {
  const visible = attachmentRule(actor).sql('a');
  return {
    attachmentsByTicket: new DataLoader<string, Attachment[]>(async (ticketIds) => {
      const rows = await em.execute<(Record<string, unknown> & { ticket_id: string })[]>(
        `select a.* from attachment a where a.ticket_id = any(?::uuid[]) and ${visible.sql} order by a.created_at, a.id`,
        [pgArray(ticketIds), ...visible.bindings],
      );
      return ticketIds.map((id) => rows.filter((r) => r.ticket_id === id).map((row) => em.map(Attachment, row as never)));
    }),
  };
}
