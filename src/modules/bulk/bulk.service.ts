import type { EntityManager } from '@mikro-orm/postgresql';
import { GraphQLError } from 'graphql';
import { badInput } from '../../shared/errors';
import { idOf, LIMITS, optionalIdOf, optionalText } from '../../shared/validation';
import { TicketStatus } from '../tickets/ticket.enums';
import { canWorkOnTickets } from '../tickets/ticket.policy';
import { denied } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import { User } from '../users/user.entity';
import { BULK_LIMIT, type BulkUpdateTicketsInput } from './bulk.inputs';
import type { BulkTicketResult, BulkUpdateTicketsPayload } from './bulk.payloads';
import { applyChangeSet, type ChangeSet, type ChangeSetDeps } from './change-set';
import { tagChanges } from './tag-changes';

/**
 * The same changes to many tickets. The whole input is checked first (a bad one writes nothing);
 * then each ticket is changed in a transaction of its own (see applyChangeSet), so one ticket's
 * refusal (a stale version, a move the status table refuses, a ticket the caller may not see) leaves
 * the others changed, and says so in that ticket's result.
 */
export class BulkService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly changeDeps: Omit<ChangeSetDeps, 'actor'>,
  ) {}

  async update(input: BulkUpdateTicketsInput): Promise<BulkUpdateTicketsPayload> {
    if (!canWorkOnTickets(this.actor)) throw denied(this.actor, 'Only staff and API keys with TICKETS_WRITE change tickets.');
    const { changes, versions } = await this.check(input);
    const results: BulkTicketResult[] = [];
    for (const ticketId of input.ticketIds) {
      try {
        // A fork per ticket: nothing read for one ticket is served, stale, to the next.
        const ticket = await applyChangeSet(this.em.fork(), { actor: this.actor, ...this.changeDeps }, ticketId, versions.get(ticketId), () => changes);
        results.push({ ticketId, ok: true, errorCode: null, errorMessage: null, ticket });
      } catch (error) {
        results.push({ ticketId, ok: false, ...errorOf(error), ticket: null });
      }
    }
    const succeeded = results.filter((result) => result.ok).length;
    return { results, succeeded, failed: results.length - succeeded };
  }

  private async check(input: BulkUpdateTicketsInput): Promise<{ changes: ChangeSet; versions: Map<string, number> }> {
    const ids = input.ticketIds.map((id) => idOf(id, 'Ticket', 'ticketIds'));
    if (ids.length === 0) throw badInput('Name at least one ticket.', 'ticketIds');
    if (ids.length > BULK_LIMIT) throw badInput(`At most ${BULK_LIMIT} tickets per bulk update; got ${ids.length}.`, 'ticketIds');
    if (new Set(ids).size !== ids.length) throw badInput('A ticket is named twice.', 'ticketIds');

    const versions = new Map<string, number>();
    for (const { ticketId, version } of input.expectedVersions ?? []) {
      if (!input.ticketIds.includes(ticketId)) throw badInput(`expectedVersions names ${ticketId}, which is not in ticketIds.`, 'expectedVersions');
      if (versions.has(ticketId)) throw badInput(`expectedVersions names ${ticketId} twice.`, 'expectedVersions');
      versions.set(ticketId, version);
    }

    const assigneeId = optionalIdOf(input.assigneeId, 'User', 'assigneeId');
    if (assigneeId && input.unassign) throw badInput('Either assign (assigneeId) or unassign, not both.', 'unassign');
    if (assigneeId && !(await this.em.findOne(User, { id: assigneeId }))) throw badInput('assigneeId names nothing that exists.', 'assigneeId');
    // As changeStatus: resolution notes may be as long as a comment, other reasons are shorter.
    const reason = optionalText(input.reason, 'reason', input.status === TicketStatus.RESOLVED ? LIMITS.body : LIMITS.reason);
    if (reason && !input.status) throw badInput('A reason goes with a status.', 'reason');
    const tags = tagChanges(input.addTags, input.removeTags);

    const changes: ChangeSet = {
      ...(input.status && { status: { to: input.status, reason } }),
      ...(assigneeId ? { assigneeId: input.assigneeId! } : input.unassign ? { assigneeId: null } : {}),
      ...(input.priority && { priority: input.priority }),
      addTags: tags.add,
      removeTags: tags.remove,
    };
    if (!changes.status && changes.assigneeId === undefined && !changes.priority && tags.add.length + tags.remove.length === 0) {
      throw badInput('Nothing to change: give a status, an assignee (or unassign), a priority or tags.');
    }
    return { changes, versions };
  }
}

/** A ticket's refusal as its result says it: the stable code and message of the error its own mutation would answer. */
function errorOf(error: unknown): { errorCode: string; errorMessage: string } {
  if (error instanceof GraphQLError && typeof error.extensions.code === 'string') return { errorCode: error.extensions.code, errorMessage: error.message };
  // Anything else stays out of the answer, as it would for a single change (server/errors.ts).
  return { errorCode: 'INTERNAL_SERVER_ERROR', errorMessage: 'This ticket could not be changed; try again.' };
}
