import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { pgArray } from '../../shared/sql';
import { Tag } from '../tags/tag.entity';
import { FINISHED_STATUSES } from '../tickets/ticket.entity';

/** Open-ticket counts and expertise of many agents, one query each. */
export function createAssignmentLoaders(em: EntityManager) {
  return {
    openTicketCounts: new DataLoader<string, number>(async (userIds) => {
      const rows = await em.execute<{ assignee_id: string; open: string }[]>(
        `select assignee_id, count(*) as open from ticket
         where assignee_id = any(?::uuid[]) and status not in (${FINISHED_STATUSES.map(() => '?').join(', ')}) group by assignee_id`,
        [pgArray(userIds), ...FINISHED_STATUSES],
      );
      return userIds.map((id) => Number(rows.find((r) => r.assignee_id === id)?.open ?? 0));
    }),
    expertise: new DataLoader<string, Tag[]>(async (userIds) => {
      const rows = await em.execute<(Record<string, unknown> & { user_id: string })[]>(
        `select e.user_id, g.* from agent_expertise e join tag g on g.id = e.tag_id where e.user_id = any(?::uuid[]) order by lower(g.name)`,
        [pgArray(userIds)],
      );
      return userIds.map((id) => rows.filter((r) => r.user_id === id).map(({ user_id: _user, ...tag }) => em.map(Tag, tag as never)));
    }),
  };
}
