import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { pgArray } from '../../shared/sql';
import { canSeeInternal } from '../comments/comment.policy';
import type { Actor } from '../users/auth/actor';
import { Attachment } from './attachment.entity';

/**
 * A ticket's attachments, oldest first (in message order within one message), for many tickets in one
 * query. Inbound replies are external comments; should an attachment ever hang on an internal one, a
 * viewer who may not read internal comments does not fetch it.
 */
export function createAttachmentLoaders(em: EntityManager, actor: Actor) {
  const visibility = canSeeInternal(actor) ? '' : 'and (c.id is null or c.is_internal = false)';
  return {
    attachmentsByTicket: new DataLoader<string, Attachment[]>(async (ticketIds) => {
      const rows = await em.execute<(Record<string, unknown> & { ticket_id: string })[]>(
        `select a.* from attachment a left join comment c on c.id = a.comment_id
         where a.ticket_id = any(?::uuid[]) ${visibility} order by a.created_at, a.id`,
        [pgArray(ticketIds)],
      );
      return ticketIds.map((id) => rows.filter((r) => r.ticket_id === id).map((row) => em.map(Attachment, row as never)));
    }),
  };
}
