import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../shared/errors';
import { LIMITS, optionalText, text } from '../../shared/validation';
import { OwnedRows } from '../access/owned-rows';
import { staffOnly } from '../access/ownership';
import { businessRule, contactRule } from '../access/visibility';
import { Business } from '../businesses/business.entity';
import { Contact } from '../businesses/contact.entity';
import { applyChangeSet, type ChangeSetDeps } from '../bulk/change-set';
import { tagChanges } from '../bulk/tag-changes';
import { requiredExplanation } from '../tickets/status-machine';
import type { Ticket } from '../tickets/ticket.entity';
import type { Actor } from '../users/auth/actor';
import { Macro } from './macro.entity';
import type { ApplyMacroInput, CreateMacroInput, UpdateMacroInput } from './macro.inputs';
import { fillPlaceholders, PLACEHOLDERS, unknownPlaceholders, type Placeholder } from './placeholders';

const WHAT = 'macros';

/** Macros: kept per staff member or shared (access/ownership.ts), checked when saved, applied as one transaction. */
export class MacroService {
  private readonly rows: OwnedRows<Macro>;

  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly changeDeps: Omit<ChangeSetDeps, 'actor'>,
  ) {
    this.rows = new OwnedRows(em, actor, Macro, 'Macro', 'macros');
  }

  /** The macros the staff member may use: shared ones and its own, by name. */
  list(): Promise<Macro[]> {
    return this.rows.list();
  }

  /** A macro the staff member may use; NOT_FOUND for another agent's personal macro. */
  get(macroId: string): Promise<Macro> {
    return this.rows.get(macroId);
  }

  create(input: CreateMacroInput): Promise<Macro> {
    return this.rows.create(this.check(input), input.shared ?? false);
  }

  update(input: UpdateMacroInput): Promise<Macro> {
    return this.rows.update(input.macroId, this.check(input));
  }

  delete(macroId: string): Promise<string> {
    return this.rows.delete(macroId);
  }

  /**
   * Writes the comment (placeholders filled from what the applying agent may see), then moves the
   * status, sets the priority and the tags: one transaction, each change with its own rules and
   * timeline entry (see applyChangeSet). A refused step writes nothing at all.
   */
  async apply(input: ApplyMacroInput): Promise<Ticket> {
    const macro = await this.get(input.macroId);
    return applyChangeSet(this.em, { actor: this.actor, ...this.changeDeps }, input.ticketId, input.expectedVersion, async (em, ticket) => ({
      ...(macro.commentBody !== null && {
        comment: { body: fillPlaceholders(macro.commentBody, await this.values(em, ticket)), isInternal: macro.commentInternal },
      }),
      ...(macro.status && { status: { to: macro.status, reason: requiredExplanation(ticket.status, macro.status) ? `Macro: ${macro.name}` : null } }),
      ...(macro.priority && { priority: macro.priority }),
      addTags: macro.addTags,
      removeTags: macro.removeTags,
    }));
  }

  /** The stored fields of a macro, checked: known placeholders only, at least one action. */
  private check(input: CreateMacroInput | UpdateMacroInput) {
    const name = text(input.name, 'name', LIMITS.name);
    const commentBody = optionalText(input.commentBody, 'commentBody', LIMITS.body);
    const unknown = commentBody ? unknownPlaceholders(commentBody) : [];
    if (unknown.length > 0) {
      throw badInput(
        `Unknown placeholder${unknown.length > 1 ? 's' : ''}: ${unknown.map((name) => `{{${name}}}`).join(', ')}. Known: ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}.`,
        'commentBody',
      );
    }
    const tags = tagChanges(input.addTags, input.removeTags);
    if (!commentBody && !input.status && !input.priority && tags.add.length + tags.remove.length === 0) {
      throw badInput('A macro needs at least one action: a comment, a status, a priority or tags.');
    }
    return {
      name,
      commentBody,
      commentInternal: input.commentInternal ?? false,
      status: input.status ?? null,
      priority: input.priority ?? null,
      addTags: tags.add,
      removeTags: tags.remove,
    };
  }

  /** The placeholder values for a ticket, each read under the agent's rules (visibility.ts): what it may not see stays empty. */
  private async values(em: EntityManager, ticket: Ticket): Promise<Partial<Record<Placeholder, string>>> {
    const staff = staffOnly(this.actor, WHAT);
    const contact = ticket.contact ? await em.findOne(Contact, { id: ticket.contact.id }) : null;
    const business = ticket.business ? await em.findOne(Business, { id: ticket.business.id }) : null;
    const seenContact = contact && contactRule(this.actor).allows({ businessId: contact.business.id }) ? contact : null;
    const seenBusiness = business && businessRule(this.actor).allows({ id: business.id }) ? business : null;
    return {
      'ticket.number': String(ticket.number),
      'ticket.title': ticket.title,
      'ticket.status': ticket.status,
      'ticket.priority': ticket.priority,
      // A ticket not yet linked to a contact still names who wrote in.
      'contact.name': seenContact?.name ?? ticket.submitterName ?? '',
      'contact.email': seenContact?.email ?? ticket.submitterEmail ?? '',
      'business.name': seenBusiness?.name ?? '',
      'agent.name': staff.name,
      'agent.email': staff.email,
    };
  }
}
