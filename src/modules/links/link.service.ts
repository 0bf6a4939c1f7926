import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../shared/errors';
import { idOf } from '../../shared/validation';
import { ticketRule } from '../access/visibility';
import { writeComment } from '../comments/write-comment';
import { mergeTargetId } from '../merge/follow-merge';
import { lockTickets } from '../tickets/lock-tickets';
import { TicketEventType } from '../tickets/ticket-event.entity';
import { FINISHED_STATUSES, Ticket } from '../tickets/ticket.entity';
import { TicketStatus } from '../tickets/ticket.enums';
import type { ResolveTicketInput } from '../tickets/ticket.inputs';
import { canWorkOnTickets } from '../tickets/ticket.policy';
import type { TicketWorkflowService } from '../tickets/ticket-workflow.service';
import { recordEvent } from '../tickets/timeline';
import { denied } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import { User } from '../users/user.entity';
import { relationFrom, TicketLinkKind, type TicketRelation } from './link.enums';
import type { LinkTicketsInput, UnlinkTicketsInput } from './link.inputs';
import { TicketLink } from './ticket-link.entity';

/** Statuses a child passes through, from where it stands, to be resolved with its parent. */
const TO_RESOLVED: Partial<Record<TicketStatus, TicketStatus[]>> = {
  [TicketStatus.OPEN]: [TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED],
  [TicketStatus.WAITING_ON_CUSTOMER]: [TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED],
  [TicketStatus.WAITING_ON_THIRD_PARTY]: [TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED],
  [TicketStatus.IN_PROGRESS]: [TicketStatus.RESOLVED],
};

/**
 * Links between tickets (staff work), and resolving a parent with its children. A link changes both
 * tickets (version, `updatedAt`, a TICKET_LINKED entry on each, internal when the two tickets belong
 * to different businesses, so neither customer learns of the other's ticket).
 */
export class LinkService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly workflow: TicketWorkflowService,
  ) {}

  link(input: LinkTicketsInput): Promise<{ ticket: Ticket; other: Ticket }> {
    return this.onPair(input, async (em, ticket, other, existing) => {
      if (existing) {
        if (existing.ticket.id === ticket.id && existing.kind === input.kind) return false;
        throw badInput(`#${ticket.number} and #${other.number} are already linked (${existing.kind}); unlink them first.`, 'otherId');
      }
      if (input.kind === TicketLinkKind.PARENT_OF) await this.checkParent(em, ticket, other);
      em.create(TicketLink, { ticket, other, kind: input.kind, actor: this.actor.kind === 'user' ? em.getReference(User, this.actor.id) : null });
      this.record(em, ticket, other, relationFrom(input.kind, false), true);
      this.record(em, other, ticket, relationFrom(input.kind, true), true);
      return true;
    });
  }

  unlink(input: UnlinkTicketsInput): Promise<{ ticket: Ticket; other: Ticket }> {
    return this.onPair(input, async (em, ticket, other, existing) => {
      if (!existing) throw badInput(`#${ticket.number} and #${other.number} are not linked.`, 'otherId');
      const fromTicket = existing.ticket.id === ticket.id;
      em.remove(existing);
      this.record(em, ticket, other, relationFrom(existing.kind, !fromTicket), false);
      this.record(em, other, ticket, relationFrom(existing.kind, fromTicket), false);
      return true;
    });
  }

  /** Both tickets locked in id order, with the pair's link if any; `apply` answers whether it changed them. */
  private async onPair(
    input: { ticketId: string; otherId: string },
    apply: (em: EntityManager, ticket: Ticket, other: Ticket, existing: TicketLink | null) => Promise<boolean>,
  ): Promise<{ ticket: Ticket; other: Ticket }> {
    if (!canWorkOnTickets(this.actor)) throw denied(this.actor, 'Only staff and API keys with TICKETS_WRITE link tickets.');
    const ticketId = idOf(input.ticketId, 'Ticket', 'ticketId');
    const otherId = idOf(input.otherId, 'Ticket', 'otherId');
    if (ticketId === otherId) throw badInput('A ticket cannot be linked to itself.', 'otherId');
    return this.em.transactional(async (em) => {
      const locked = await lockTickets(em, this.actor, [ticketId, otherId]);
      const ticket = locked.get(ticketId)!;
      const other = locked.get(otherId)!;
      const existing = await em.findOne(TicketLink, { $or: [{ ticket: ticketId, other: otherId }, { ticket: otherId, other: ticketId }] });
      if (await apply(em, ticket, other, existing)) {
        for (const changed of [ticket, other]) {
          changed.version += 1;
          changed.updatedAt = new Date();
        }
      }
      await em.flush();
      return { ticket, other };
    });
  }

  /** A child has one parent, and no ticket is its own ancestor. */
  private async checkParent(em: EntityManager, parent: Ticket, child: Ticket): Promise<void> {
    const parents = await em.count(TicketLink, { other: child.id, kind: TicketLinkKind.PARENT_OF });
    if (parents > 0) throw badInput(`#${child.number} already has a parent.`, 'otherId');
    const [cycle] = await em.execute<{ found: boolean }[]>(
      `with recursive up (id, hops) as (
         select ticket_id, 1 from ticket_link where other_id = ? and kind = 'PARENT_OF'
         union all
         select l.ticket_id, u.hops + 1 from ticket_link l join up u on l.other_id = u.id where l.kind = 'PARENT_OF' and u.hops < 50
       ) select exists (select 1 from up where id = ?) as found`,
      [parent.id, child.id],
    );
    if (cycle?.found) throw badInput(`#${child.number} is an ancestor of #${parent.number}.`, 'otherId');
  }

  private record(em: EntityManager, ticket: Ticket, other: Ticket, relation: TicketRelation, linked: boolean): void {
    recordEvent(em, ticket, this.actor, TicketEventType.TICKET_LINKED, {
      isInternal: ticket.business?.id !== other.business?.id,
      details: { kind: relation, other: other.globalId, number: other.number, linked },
    });
  }

  /**
   * resolveTicket: the ticket resolved, and its children still open after it. With `resolveChildren`,
   * in the same transaction and under locks taken in id order, every child that can be resolved is
   * resolved with the parent's notes (OPEN and WAITING_* children pass through IN_PROGRESS, as the
   * status table wants); an UNASSIGNED child cannot be and stays listed.
   */
  async resolve(input: ResolveTicketInput): Promise<{ ticket: Ticket; openChildren: Ticket[]; resolvedChildren: Ticket[] }> {
    if (!input.resolveChildren) {
      const ticket = await this.workflow.resolve(input);
      return { ticket, openChildren: await this.openChildren(this.em, ticket.id), resolvedChildren: [] };
    }
    if (!canWorkOnTickets(this.actor)) throw denied(this.actor, 'Only staff and API keys with TICKETS_WRITE resolve children with their parent.');
    const addressed = idOf(input.ticketId, 'Ticket', 'ticketId');
    return this.em.transactional(async (em) => {
      const parentId = await mergeTargetId(em, addressed);
      const childIds = (await em.find(TicketLink, { ticket: parentId, kind: TicketLinkKind.PARENT_OF })).map((link) => link.other.id);
      const locked = await lockTickets(em, this.actor, [parentId, addressed, ...childIds]);
      const ticket = await this.workflow.resolve(input, em);
      const notes = ticket.resolutionNotes!;
      const internal = !input.notifyCustomer;
      const resolvedChildren: Ticket[] = [];
      for (const childId of childIds) {
        const child = locked.get(childId)!;
        const path = child.mergedInto ? undefined : TO_RESOLVED[child.status];
        if (!path) continue;
        for (const to of path) {
          const resolving = to === TicketStatus.RESOLVED;
          await this.workflow.transition(em, child, to, {
            reason: resolving ? notes : null,
            reasonInternal: resolving && internal,
            details: { trigger: 'PARENT_RESOLVED', parent: ticket.globalId },
          });
        }
        await writeComment(em, child, this.actor, notes, internal);
        child.version += 1;
        child.updatedAt = new Date();
        resolvedChildren.push(child);
      }
      await em.flush();
      return { ticket, openChildren: await this.openChildren(em, ticket.id), resolvedChildren };
    });
  }

  /** The children of a ticket that are neither resolved nor closed (nor merged away), those the viewer may see. */
  private async openChildren(em: EntityManager, parentId: string): Promise<Ticket[]> {
    const where = ticketRule(this.actor).where;
    if (!where) return [];
    const childIds = (await em.find(TicketLink, { ticket: parentId, kind: TicketLinkKind.PARENT_OF })).map((link) => link.other.id);
    if (childIds.length === 0) return [];
    return em.find(
      Ticket,
      { $and: [where, { id: { $in: childIds }, status: { $nin: [...FINISHED_STATUSES] }, mergedInto: null }] } as never,
      { orderBy: { number: 'asc' } },
    );
  }
}
