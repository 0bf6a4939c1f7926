import type { EntityManager } from '@mikro-orm/postgresql';
import type { SlaSettings } from '../sla/sla-settings';
import { TagService } from '../tags/tag.service';
import type { Ticket } from '../tickets/ticket.entity';
import type { TicketPriority, TicketStatus } from '../tickets/ticket.enums';
import { canWorkOnTickets } from '../tickets/ticket.policy';
import { denied } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import type { Loaders } from '../../context';
import { idOf } from '../../shared/validation';
import { createTicketServices } from '../../ticket-services';

/**
 * Several changes to one ticket, as an agent would make them one after the other; fields left
 * undefined stay as they are. Names are checked by the caller (TagService.normalize) before anything runs.
 */
export interface ChangeSet {
  comment?: { body: string; isInternal: boolean };
  status?: { to: TicketStatus; reason: string | null };
  /** A User id; null unassigns. */
  assigneeId?: string | null;
  priority?: TicketPriority;
  addTags?: readonly string[];
  removeTags?: readonly string[];
}

/** What a change set needs of the request beyond its entity manager. */
export interface ChangeSetDeps {
  actor: Actor;
  slaSettings: SlaSettings;
  loaders: Loaders;
}

/**
 * Applies a change set to one ticket in one transaction, through the single-ticket services (so the
 * status table, assignment, SLA clocks, tags and comments obey exactly their rules and each change
 * records its own timeline entry). The ticket row is locked first and `expectedVersion` checked
 * once against it; each change then runs as a savepoint of that transaction and moves `version` as it
 * would alone. Any refusal rolls the whole set back. `build` sees the locked ticket (macros fill their
 * placeholders from it). Staff work only, as for a single change.
 */
export async function applyChangeSet(
  rootEm: EntityManager,
  { actor, slaSettings, loaders }: ChangeSetDeps,
  ticketId: string,
  expectedVersion: number | null | undefined,
  build: (em: EntityManager, ticket: Ticket) => Promise<ChangeSet> | ChangeSet,
): Promise<Ticket> {
  const id = idOf(ticketId, 'Ticket', 'ticketId');
  return rootEm.transactional(async (em) => {
    const { tickets, workflow, comments } = createTicketServices(em, actor, slaSettings, loaders);
    let ticket = await tickets.lockVisible(em, id);
    if (!canWorkOnTickets(actor)) throw denied(actor, 'Only staff and API keys with TICKETS_WRITE change tickets.');
    tickets.checkVersion(ticket, expectedVersion);
    const changes = await build(em, ticket);

    if (changes.comment) ({ ticket } = await comments.add({ ticketId, ...changes.comment }));
    // Already there is no move: a bulk "set to IN_PROGRESS" leaves such tickets as they are.
    if (changes.status && changes.status.to !== ticket.status) {
      ticket = await workflow.changeStatus({ ticketId, status: changes.status.to, reason: changes.status.reason });
    }
    if (changes.assigneeId !== undefined) ticket = await tickets.assign({ ticketId, assigneeId: changes.assigneeId });
    if (changes.priority) ticket = await tickets.update({ ticketId, priority: changes.priority });
    if (changes.addTags?.length || changes.removeTags?.length) {
      await ticket.tags.init();
      const removed = new Set((changes.removeTags ?? []).map((name) => name.toLowerCase()));
      const kept = ticket.tags.getItems().map((tag) => tag.name).filter((name) => !removed.has(name.toLowerCase()));
      const added = (changes.addTags ?? []).filter((name) => !removed.has(name.toLowerCase()));
      ticket = await tickets.setTags({ ticketId, tags: TagService.normalize([...kept, ...added]) });
    }
    return ticket;
  });
}
