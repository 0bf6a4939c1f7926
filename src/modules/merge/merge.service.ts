import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../shared/errors';
import { pgArray } from '../../shared/sql';
import { idOf, LIMITS, optionalText } from '../../shared/validation';
import { Contact } from '../businesses/contact.entity';
import { writeComment } from '../comments/write-comment';
import { Tag } from '../tags/tag.entity';
import { lockTickets } from '../tickets/lock-tickets';
import { TicketEventType } from '../tickets/ticket-event.entity';
import type { Ticket } from '../tickets/ticket.entity';
import { TicketStatus } from '../tickets/ticket.enums';
import { canWorkOnTickets } from '../tickets/ticket.policy';
import type { TicketService } from '../tickets/ticket.service';
import type { TicketWorkflowService } from '../tickets/ticket-workflow.service';
import { recordEvent } from '../tickets/timeline';
import { denied, isAdmin } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import { User } from '../users/user.entity';
import { MAX_MERGE_SOURCES, type MergeTicketsInput, type UnmergeTicketInput } from './merge.inputs';
import { TicketMerge } from './ticket-merge.entity';

/** How long a merge can be undone. */
export const UNMERGE_DAYS = 7;

/** The customer's notice on a merged ticket: where the conversation continues. */
export function mergeNotice(target: { number: number; title: string }): string {
  return `This request has been merged into #${target.number} (${target.title}). The conversation continues there; replies to this ticket are added to #${target.number}.`;
}

/**
 * Merging tickets, and undoing a merge. Comments and attachments of a source are moved to the target
 * (their rows change ticket, nothing else): each keeps its id, author, time and internal flag, and the
 * target lists them among its own in time order; every reader (the target's comments, `node`,
 * `Comment.ticket`, mail) then goes through the one visibility rule of the row's ticket, which a
 * reference from the target to the source's rows would have had to learn everywhere. The merge
 * record keeps the moved ids, so an unmerge moves exactly those back.
 */
export class MergeService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly tickets: TicketService,
    private readonly workflow: TicketWorkflowService,
  ) {}

  async merge(input: MergeTicketsInput): Promise<{ target: Ticket; sources: Ticket[] }> {
    if (!canWorkOnTickets(this.actor)) throw denied(this.actor, 'Only staff and API keys with TICKETS_WRITE merge tickets.');
    const targetId = idOf(input.targetId, 'Ticket', 'targetId');
    const sourceIds = [...new Set(input.sourceIds.map((id) => idOf(id, 'Ticket', 'sourceIds')))];
    if (sourceIds.length === 0 || sourceIds.length > MAX_MERGE_SOURCES) throw badInput(`Name 1 to ${MAX_MERGE_SOURCES} source tickets.`, 'sourceIds');
    if (sourceIds.includes(targetId)) throw badInput('A ticket cannot be merged into itself.', 'sourceIds');
    const note = optionalText(input.note, 'note', LIMITS.reason);
    const across = input.allowAcrossBusinesses ?? false;
    if (across && !isAdmin(this.actor)) throw denied(this.actor, 'Only an admin merges tickets of different businesses.');
    const expected = (input.expectedVersions ?? []).map((entry) => ({ id: idOf(entry.ticketId, 'Ticket', 'expectedVersions'), version: entry.version }));

    return this.em.transactional(async (em) => {
      const locked = await lockTickets(em, this.actor, [targetId, ...sourceIds]);
      for (const entry of expected) {
        const ticket = locked.get(entry.id);
        if (!ticket) throw badInput('expectedVersions names a ticket that is not part of the merge.', 'expectedVersions');
        this.tickets.checkVersion(ticket, entry.version);
      }
      const target = locked.get(targetId)!;
      const sources = sourceIds.map((id) => locked.get(id)!);
      if (target.mergedInto) throw badInput(`#${target.number} is itself merged into another ticket.`, 'targetId');
      if (target.status === TicketStatus.CLOSED) throw badInput(`#${target.number} is closed; merge into an open ticket.`, 'targetId');
      for (const source of sources) {
        if (source.mergedInto) throw badInput(`#${source.number} is already merged.`, 'sourceIds');
        if (source.status === TicketStatus.CLOSED) throw badInput(`#${source.number} is closed.`, 'sourceIds');
        if (!across && source.business && target.business && source.business.id !== target.business.id) {
          throw badInput(`#${source.number} belongs to another business than #${target.number}; an admin may pass allowAcrossBusinesses.`, 'sourceIds');
        }
      }

      await target.tags.init();
      const tagsBefore = new Set(target.tags.getItems().map((tag) => tag.id));
      const addedTags: Tag[] = [];
      for (const source of sources) {
        addedTags.push(...(await this.mergeOne(em, source, target, note, tagsBefore, addedTags)));
      }
      if (addedTags.length > 0) {
        recordEvent(em, target, this.actor, TicketEventType.TAGGED, { details: { added: addedTags.map((tag) => tag.name), removed: [] } });
      }
      recordEvent(em, target, this.actor, TicketEventType.MERGED_IN, {
        reason: note,
        reasonInternal: note !== null,
        // A source of another business is named only to the team.
        isInternal: sources.some((source) => source.business?.id !== target.business?.id),
        details: { sources: sources.map((source) => source.globalId), numbers: sources.map((source) => source.number) },
      });
      this.bump(target);
      await em.flush();
      return { target, sources };
    });
  }

  /** One source into the locked target; answers the tags it gave the target. */
  private async mergeOne(em: EntityManager, source: Ticket, target: Ticket, note: string | null, tagsBefore: Set<string>, alreadyAdded: Tag[]): Promise<Tag[]> {
    const moved = await em.execute<{ id: string }[]>('update comment set ticket_id = ? where ticket_id = ? returning id', [target.id, source.id]);
    const movedAttachments = await em.execute<{ id: string }[]>('update attachment set ticket_id = ? where ticket_id = ? returning id', [target.id, source.id]);
    await source.tags.init();
    const added = source.tags.getItems().filter((tag) => !tagsBefore.has(tag.id) && !alreadyAdded.some((other) => other.id === tag.id));
    for (const tag of added) target.tags.add(tag);
    const contact = source.contact && (await em.findOneOrFail(Contact, { id: source.contact.id }));
    const contactGiven = !target.contact && contact !== null && target.business !== null && contact.business.id === target.business.id;
    if (contactGiven) target.contact = contact;
    em.create(TicketMerge, {
      source,
      target,
      actor: this.actor.kind === 'user' ? em.getReference(User, this.actor.id) : null,
      note,
      statusBefore: source.status,
      resolvedAtBefore: source.resolvedAt,
      closedAtBefore: source.closedAt,
      movedCommentIds: moved.map((row) => row.id),
      movedAttachmentIds: movedAttachments.map((row) => row.id),
      addedTagIds: added.map((tag) => tag.id),
      contactGiven,
    });
    const across = source.business?.id !== target.business?.id;
    source.mergedInto = target;
    await this.workflow.transition(em, source, TicketStatus.CLOSED, { details: { trigger: 'MERGE', into: target.globalId } });
    recordEvent(em, source, this.actor, TicketEventType.MERGED, {
      reason: note,
      reasonInternal: note !== null,
      // The target of another business is named only to the team; the customer has the notice.
      isInternal: across,
      details: { into: target.globalId, number: target.number, comments: moved.length, attachments: movedAttachments.length },
    });
    // Written after the move, so it stays on the source, whose customer it is mailed to.
    await writeComment(em, source, this.actor, mergeNotice(target), false);
    this.bump(source);
    return added;
  }

  /** Restores a source merged less than UNMERGE_DAYS ago, unless its target was merged on since. */
  async unmerge(input: UnmergeTicketInput): Promise<{ ticket: Ticket; formerTarget: Ticket }> {
    if (!canWorkOnTickets(this.actor)) throw denied(this.actor, 'Only staff and API keys with TICKETS_WRITE unmerge tickets.');
    const sourceId = idOf(input.ticketId, 'Ticket', 'ticketId');
    return this.em.transactional(async (em) => {
      const found = await em.findOne(TicketMerge, { source: sourceId, undoneAt: null });
      // The source is locked (and its visibility checked) before anything is said about its merge.
      const locked = await lockTickets(em, this.actor, found ? [sourceId, found.target.id] : [sourceId]);
      const source = locked.get(sourceId)!;
      const merge = found && (await em.findOne(TicketMerge, { id: found.id, undoneAt: null }, { refresh: true }));
      if (!merge) throw badInput(`#${source.number} is not merged.`, 'ticketId');
      const target = locked.get(merge.target.id)!;
      if (Date.now() - merge.createdAt.getTime() > UNMERGE_DAYS * 86_400_000) {
        throw badInput(`A merge can be undone for ${UNMERGE_DAYS} days; #${source.number} was merged on ${merge.createdAt.toISOString()}.`, 'ticketId');
      }
      if (target.mergedInto) throw badInput(`#${target.number} has since been merged into another ticket; unmerge it first.`, 'ticketId');

      const comments = await em.execute<{ id: string }[]>(
        'update comment set ticket_id = ? where ticket_id = ? and id = any(?::uuid[]) returning id',
        [source.id, target.id, pgArray(merge.movedCommentIds)],
      );
      await em.execute('update attachment set ticket_id = ? where ticket_id = ? and id = any(?::uuid[])', [source.id, target.id, pgArray(merge.movedAttachmentIds)]);
      await target.tags.init();
      const removed = target.tags.getItems().filter((tag) => merge.addedTagIds.includes(tag.id));
      for (const tag of removed) target.tags.remove(tag);
      if (removed.length > 0) recordEvent(em, target, this.actor, TicketEventType.TAGGED, { details: { added: [], removed: removed.map((tag) => tag.name) } });
      if (merge.contactGiven && target.contact?.id === source.contact?.id) target.contact = null;

      merge.undoneAt = new Date();
      source.mergedInto = null;
      // The move back sets what a move sets (a RESOLVED ticket's notes too); the source keeps what it had.
      const notes = { resolutionNotes: source.resolutionNotes, resolutionNotesInternal: source.resolutionNotesInternal };
      await this.workflow.transition(em, source, merge.statusBefore, { details: { trigger: 'UNMERGE', from: target.globalId } });
      Object.assign(source, notes, { resolvedAt: merge.resolvedAtBefore, closedAt: merge.closedAtBefore });
      const details = { source: source.globalId, target: target.globalId, comments: comments.length };
      const across = source.business?.id !== target.business?.id;
      recordEvent(em, source, this.actor, TicketEventType.UNMERGED, { isInternal: across, details });
      recordEvent(em, target, this.actor, TicketEventType.UNMERGED, { isInternal: across, details });
      this.bump(source);
      this.bump(target);
      await em.flush();
      return { ticket: source, formerTarget: target };
    });
  }

  private bump(ticket: Ticket): void {
    ticket.version += 1;
    ticket.updatedAt = new Date();
  }
}
