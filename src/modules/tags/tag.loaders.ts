import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { pgArray } from '../../shared/sql';
import { Tag } from './tag.entity';

/** A ticket's tags, sorted by name, for many tickets in one query. */
export function createTagLoaders(em: EntityManager) {
  return {
    tagUsage: new DataLoader<string, number>(async (tagIds) => {
      const rows = await em.execute<{ tag_id: string; n: string }[]>(
        'select tag_id, count(*) as n from ticket_tag where tag_id = any(?::uuid[]) group by tag_id',
        [pgArray(tagIds)],
      );
      return tagIds.map((id) => Number(rows.find((r) => r.tag_id === id)?.n ?? 0));
    }),
    tagsByTicket: new DataLoader<string, Tag[]>(async (ticketIds) => {
      const rows = await em.execute<(Record<string, unknown> & { ticket_id: string })[]>(
        `select tt.ticket_id, g.* from ticket_tag tt join tag g on g.id = tt.tag_id
         where tt.ticket_id = any(?::uuid[]) order by lower(g.name)`,
        [pgArray(ticketIds)],
      );
      return ticketIds.map((id) =>
        rows.filter((r) => r.ticket_id === id).map(({ ticket_id: _ticket, ...tag }) => em.map(Tag, tag as never)),
      );
    }),
  };
}
