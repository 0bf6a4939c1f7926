import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { PrimedLoader } from '../../shared/primed-loader';
import { pgArray } from '../../shared/sql';
import { tagRule } from '../access/visibility';
import type { Actor } from '../users/auth/actor';
import { Tag } from './tag.entity';

/**
 * How many visible tickets carry each tag, and a ticket's tags (sorted by name) for many tickets in
 * one query, both under the viewer's rule: a customer counts and sees only its business's tickets.
 */
export function createTagLoaders(em: EntityManager, actor: Actor) {
  const used = tagRule(actor).usedSql('tt');
  return {
    tagUsage: new DataLoader<string, number>(async (tagIds) => {
      const rows = await em.execute<{ tag_id: string; n: string }[]>(
        `select tt.tag_id, count(*) as n from ticket_tag tt where tt.tag_id = any(?::uuid[]) and ${used.sql} group by tt.tag_id`,
        [pgArray(tagIds), ...used.bindings],
      );
      return tagIds.map((id) => Number(rows.find((r) => r.tag_id === id)?.n ?? 0));
    }),
    tagsByTicket: new PrimedLoader<string, Tag[]>(async (ticketIds) => {
      const rows = await em.execute<(Record<string, unknown> & { ticket_id: string })[]>(
        `select tt.ticket_id, g.* from ticket_tag tt join tag g on g.id = tt.tag_id
         where tt.ticket_id = any(?::uuid[]) and ${used.sql} order by lower(g.name)`,
        [pgArray(ticketIds), ...used.bindings],
      );
      return ticketIds.map((id) =>
        rows.filter((r) => r.ticket_id === id).map(({ ticket_id: _ticket, ...tag }) => em.map(Tag, tag as never)),
      );
    }),
  };
}
