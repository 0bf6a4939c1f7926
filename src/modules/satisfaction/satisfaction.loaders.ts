import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { SatisfactionRating } from './satisfaction-rating.entity';

/** Ratings by ticket id, one query per batch. */
export function createSatisfactionLoaders(em: EntityManager) {
  return {
    ratings: new DataLoader<string, SatisfactionRating | null>(async (ticketIds) => {
      const rows = await em.find(SatisfactionRating, { ticket: { $in: [...ticketIds] } });
      const byTicket = new Map(rows.map((row) => [row.ticket.id, row]));
      return ticketIds.map((id) => byTicket.get(id) ?? null);
    }),
  };
}
