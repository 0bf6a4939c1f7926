import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { pgArray } from '../../shared/sql';
import { relationFrom, type TicketLinkKind, type TicketRelation } from './link.enums';

export interface LinkEnd {
  relation: TicketRelation;
  otherId: string;
  linkedAt: Date;
}

/**
 * Per ticket, its links as seen from it, oldest first, for a page of tickets in one statement. The
 * other tickets are loaded by the resolver through `visibleTickets`, so a link to a ticket the viewer
 * may not see is dropped there, under the one ticket rule.
 */
export function createLinkLoaders(em: EntityManager) {
  return {
    ticketLinks: new DataLoader<string, LinkEnd[]>(async (ticketIds) => {
      const rows = await em.execute<{ ticket_id: string; other_id: string; kind: TicketLinkKind; created_at: Date }[]>(
        'select ticket_id, other_id, kind, created_at from ticket_link where ticket_id = any(?::uuid[]) or other_id = any(?::uuid[]) order by created_at, id',
        [pgArray([...ticketIds]), pgArray([...ticketIds])],
      );
      return ticketIds.map((id) =>
        rows
          .filter((row) => row.ticket_id === id || row.other_id === id)
          .map((row) => ({
            relation: relationFrom(row.kind, row.other_id === id),
            otherId: row.ticket_id === id ? row.other_id : row.ticket_id,
            linkedAt: new Date(row.created_at),
          })),
      );
    }),
  };
}
