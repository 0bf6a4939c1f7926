import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { pgArray } from '../../shared/sql';
import { contactRule } from '../access/visibility';
import { Contact } from '../businesses/contact.entity';
import type { Actor } from '../users/auth/actor';

/**
 * Per ticket, its contact and the contacts of the tickets merged into it (merges in force), those the
 * viewer may see, in one statement for a whole page of tickets.
 */
export function createMergeLoaders(em: EntityManager, actor: Actor) {
  const visible = contactRule(actor).sql('c');
  return {
    ticketContacts: new DataLoader<string, Contact[]>(async (ticketIds) => {
      const rows = await em.execute<(Record<string, unknown> & { for_ticket: string })[]>(
        `select distinct on (x.for_ticket, c.id) x.for_ticket, c.*
           from (select t.id as for_ticket, t.contact_id from ticket t where t.id = any(?::uuid[])
                 union all
                 select m.target_id, s.contact_id from ticket_merge m join ticket s on s.id = m.source_id
                  where m.target_id = any(?::uuid[]) and m.undone_at is null) x
           join contact c on c.id = x.contact_id
          where ${visible.sql}
          order by x.for_ticket, c.id`,
        [pgArray([...ticketIds]), pgArray([...ticketIds]), ...visible.bindings],
      );
      const byTicket = new Map<string, Contact[]>();
      for (const { for_ticket: ticketId, ...row } of rows) {
        const list = byTicket.get(ticketId) ?? [];
        list.push(em.map(Contact, row));
        byTicket.set(ticketId, list);
      }
      return ticketIds.map((id) => byTicket.get(id) ?? []);
    }),
  };
}
