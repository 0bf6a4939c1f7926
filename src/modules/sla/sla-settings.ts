import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChangeNotices } from '../../db/change-notices';
import { NotifiedCache } from '../../shared/notified-cache';
import type { TicketPriority } from '../tickets/ticket.enums';
import type { SlaTargets } from './sla-clock';
import { slaTargets } from './sla.service';

/** The notice the triggers on `sla_policy` and `business_calendar` send (Migration20261207010000_change_notices). */
const SLA_SETTINGS_NOTICE = 'slaSettings';

/**
 * The SLA targets of each priority, read once and kept until an admin changes a policy or the
 * business hours (any change to either table drops them all, on every instance). A status change or
 * a new ticket then needs no statement for them. Unfenced: another instance's write may use the old
 * targets for the few milliseconds the notice takes, which the contract allows ("tickets get the new
 * targets at their next change"); the instance that made the change drops them before it answers.
 */
export class SlaSettings {
  private readonly cache: NotifiedCache<SlaTargets>;

  constructor(notices: ChangeNotices) {
    this.cache = new NotifiedCache(notices, 16, false);
  }

  /** The targets for `priority`, read with `em` (the caller's transaction) when not cached. */
  async targets(em: EntityManager, priority: TicketPriority): Promise<SlaTargets> {
    return (await this.cache.get(priority, async () => ({ value: await slaTargets(em, priority), droppedBy: [SLA_SETTINGS_NOTICE] })))!;
  }

  /** Called by the instance that changed them, once committed: it drops them before it answers, without waiting for the notice. */
  changed(): void {
    this.cache.clear();
  }
}
