import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import type { TicketPriority } from '../tickets/ticket.enums';
import { BusinessHours } from './business-hours.entity';
import type { SlaTargets } from './sla-clock';
import { SlaPolicy } from './sla-policy.entity';
import { toTargets } from './sla.service';

/** The targets of every priority, read once per request however many tickets show their clocks. */
export function createSlaLoaders(em: EntityManager) {
  return {
    slaTargets: new DataLoader<TicketPriority, SlaTargets>(async (priorities) => {
      const [policies, hours] = await Promise.all([em.find(SlaPolicy, {}), em.findOneOrFail(BusinessHours, { id: 1 })]);
      return priorities.map((priority) => toTargets(policies.find((p) => p.priority === priority)!, hours));
    }),
  };
}
