import { LockMode } from '@mikro-orm/core';
import { denied } from '../users/auth/access';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, conflict, notFound } from '../../shared/errors';
import type { Page } from '../../shared/pagination';
import { dueDate, idOf, LIMITS, optionalEmail, optionalIdOf, optionalText, text } from '../../shared/validation';
import { Business } from '../businesses/business.entity';
import { Contact } from '../businesses/contact.entity';
import { TagService } from '../tags/tag.service';
import type { Actor } from '../users/auth/actor';
import { ApiScope } from '../users/auth/api-scope.enum';
import { User } from '../users/user.entity';
import { SlaService } from '../sla/sla.service';
import { listTickets } from './ticket-list.query';
import { readTickets } from './ticket-read';
import type { ResolveTree } from 'graphql-parse-resolve-info';
import type { Loaders } from '../../context';
import { assignBest } from '../assignment/assign-best';
import { AssignmentPolicy } from '../assignment/assignment-policy.entity';
import { actorKey, findIdempotent, rememberIdempotent } from './idempotency';
import { retryOnUniqueViolation } from '../../shared/retry';
import { pgArray } from '../../shared/sql';
import { writeComment } from '../comments/write-comment';
import { hasScope } from '../users/auth/access';
import { TicketEvent, TicketEventType } from './ticket-event.entity';
import { attachmentRule, ticketRule, timelineRule } from '../access/visibility';
import { findVisible, findVisibleById } from '../access/find-visible';
import { Attachment } from '../intake/attachment.entity';
import { Ticket } from './ticket.entity';
import { TicketChannel, TicketPriority, TicketStatus } from './ticket.enums';
import type {
  AssignTicketInput,
  CreateTicketInput,
  LinkTicketInput,
  SetTicketTagsInput,
  TicketFilter,
  TicketOrder,
  UpdateTicketInput,
} from './ticket.inputs';
import { canWorkOnTickets } from './ticket.policy';
import { recordEvent } from './timeline';
import { timelineWatermark } from '../feed/feed-reader';
import { lockFollowingMerges } from '../merge/follow-merge';

/**
 * The rules for reading and changing tickets. Every change runs in one transaction that locks the
 * ticket row (`select … for update`), so concurrent changes to one ticket are serialized and none is
 * lost; `expectedVersion` turns a stale edit into CONFLICT before anything is written.
 */
export class TicketService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly tags: TagService,
    private readonly sla: SlaService,
    private readonly loaders: Loaders,
  ) {}

  /**
   * A ticket the viewer may see, read with what `selection` (the client's Ticket fields) asks for
   * (ticket-read.ts); NOT_FOUND otherwise (existence does not leak).
   */
  async get(ticketId: string, selection?: readonly ResolveTree[]): Promise<Ticket> {
    const [ticket] = await this.visible([idOf(ticketId, 'Ticket', 'id')], selection);
    if (!ticket) throw notFound('Ticket');
    return ticket;
  }

  /**
   * The tickets of `ids` the viewer may see, in the order of `ids` (the others left out), read in one
   * statement with what `selection` asks for (ticket-read.ts).
   */
  async visible(ids: readonly string[], selection?: readonly ResolveTree[]): Promise<Ticket[]> {
    const rule = ticketRule(this.actor).sql('t');
    if (ids.length === 0 || rule.sql === 'false') return [];
    const tickets = { sql: `select t.* from ticket t where t.id = any(?::uuid[]) and ${rule.sql}`, bindings: [pgArray(ids), ...rule.bindings] };
    const found = new Map((await readTickets(this.em, this.actor, this.loaders, { tickets, selection })).map((ticket) => [ticket.id, ticket]));
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /**
   * Timeline entries after a position, in position (commit) order, under the viewer's rules: the
   * ticket scope and the internal flag are part of the SQL. Used to replay a subscription. Only entries
   * below the watermark it reads first are read, so none can commit later behind them; `below` is that
   * watermark: the page, if not full, holds every wanted entry up to it.
   */
  async timelineAfter(position: string, wanted: { ticketId?: string | null; businessId?: string | null; types?: readonly string[] | null }, limit: number) {
    const below = await timelineWatermark(this.em);
    const visible = timelineRule(this.actor).where;
    if (!visible) return { entries: [], below };
    // The viewer's rule and the subscriber's filter both apply: a filter can narrow, never widen.
    const wantedTicket = { ...(wanted.ticketId ? { id: wanted.ticketId } : {}), ...(wanted.businessId ? { business: wanted.businessId } : {}) };
    const entries = await this.em.find(
      TicketEvent,
      {
        $and: [visible, Object.keys(wantedTicket).length > 0 ? { ticket: wantedTicket } : {}],
        position: { $gt: position, $lt: below.toString() },
        ...(wanted.types ? { type: { $in: [...wanted.types] as TicketEventType[] } } : {}),
      },
      { orderBy: { position: 'asc' }, limit, populate: ['ticket'] },
    );
    return { entries, below };
  }

  /** An attachment, under the rules of its ticket and (for one that came with a comment) of that comment. */
  getAttachment(attachmentId: string): Promise<Attachment> {
    return findVisible(this.em, Attachment, 'Attachment', attachmentId, attachmentRule(this.actor).where);
  }

  /** A timeline entry, under the same two rules as comments: the ticket's scope and the internal flag. */
  getEvent(eventId: string): Promise<TicketEvent> {
    return findVisible(this.em, TicketEvent, 'TicketEvent', eventId, timelineRule(this.actor).where);
  }

  /**
   * Tickets in the viewer's scope, read with what `selection` (the client's Ticket fields) asks for
   * (ticket-read.ts). Anonymous viewers and keys without TICKETS_READ are refused, not shown an empty list.
   */
  list(
    args: { filter?: TicketFilter | null; orderBy?: TicketOrder | null; first?: number | null; after?: string | null },
    selection?: readonly ResolveTree[],
  ): Promise<Page<Ticket>> {
    const rule = ticketRule(this.actor);
    if (!rule.where) {
      throw denied(this.actor, 'Reading tickets needs a staff account, a customer login or an API key with TICKETS_READ.');
    }
    return listTickets(this.em, { ...args, visible: rule.sql('t') }, (tickets, order) =>
      readTickets(this.em, this.actor, this.loaders, { tickets, order, selection }),
    );
  }

  /**
   * A ticket opened by staff or an integration; OPEN when a business is known, UNASSIGNED otherwise.
   * A monitoring alert whose key matches a ticket of the same caller that is not closed lands on that
   * ticket instead, and an `idempotencyKey` seen before returns the ticket it created. Both keys are
   * per caller, so a repeat answers only with the caller's own ticket: another integration's key never
   * reaches (or reads) it. Two requests racing on either key meet at a unique index; the loser runs
   * again and finds the winner's ticket.
   */
  async create(input: CreateTicketInput): Promise<Ticket> {
    const monitoring = hasScope(this.actor, ApiScope.MONITORING);
    if (!canWorkOnTickets(this.actor) && !monitoring) {
      throw denied(this.actor, 'Only staff and API keys with TICKETS_WRITE or MONITORING create tickets.');
    }
    const worker = canWorkOnTickets(this.actor);
    const channel = input.channel ?? (!worker ? TicketChannel.MONITORING : this.actor.kind === 'apiKey' ? TicketChannel.API : TicketChannel.STAFF);
    if (channel === TicketChannel.MONITORING && !monitoring) {
      throw badInput('Only API keys with the MONITORING scope open MONITORING tickets.', 'channel');
    }
    if (channel !== TicketChannel.MONITORING && !worker) throw badInput('A key with only the MONITORING scope opens MONITORING tickets.', 'channel');
    const dedupKey = optionalText(input.dedupKey, 'dedupKey', LIMITS.key);
    if (dedupKey && channel !== TicketChannel.MONITORING) throw badInput('dedupKey is for MONITORING tickets.', 'dedupKey');
    const idempotencyKey = optionalText(input.idempotencyKey, 'idempotencyKey', LIMITS.key);
    const fields = {
      title: text(input.title, 'title', LIMITS.title),
      description: text(input.description, 'description', LIMITS.body),
      businessId: optionalIdOf(input.businessId, 'Business', 'businessId'),
      contactId: optionalIdOf(input.contactId, 'Contact', 'contactId'),
      assigneeId: optionalIdOf(input.assigneeId, 'User', 'assigneeId'),
      tagNames: TagService.normalize(input.tags ?? []),
      submitterName: optionalText(input.submitterName, 'submitterName', LIMITS.name),
      submitterEmail: optionalEmail(input.submitterEmail, 'submitterEmail'),
      submittedCompanyName: optionalText(input.submittedCompanyName, 'submittedCompanyName', LIMITS.name),
      dueAt: input.dueAt ? dueDate(input.dueAt, 'dueAt', new Date()) : null,
    };
    const owner = actorKey(this.actor);

    return retryOnUniqueViolation(() =>
      this.em.transactional(async (em) => {
        const earlier = idempotencyKey ? await findIdempotent(em, owner, idempotencyKey) : null;
        if (earlier) return earlier;
        const repeated = dedupKey ? await this.repeatAlert(em, owner, dedupKey, fields.description) : null;
        const ticket = repeated ?? (await this.open(em, { ...fields, channel, dedup: dedupKey ? { key: dedupKey, owner } : null, priority: input.priority }));
        await em.flush();
        if (!repeated && ticket.business && !ticket.assignee && (await this.autoAssigns(em, 'new'))) {
          await assignBest(em, ticket, this.actor);
          await em.flush();
        }
        if (idempotencyKey) await rememberIdempotent(em, owner, idempotencyKey, ticket);
        return ticket;
      }),
    );
  }

  /** The same alert again from the same caller: one more occurrence and an internal comment on its open ticket. */
  private async repeatAlert(em: EntityManager, owner: string, dedupKey: string, description: string): Promise<Ticket | null> {
    const open = await em.findOne(
      Ticket,
      { dedupOwner: owner, dedupKey, status: { $ne: TicketStatus.CLOSED } },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (!open) return null;
    open.occurrences += 1;
    await writeComment(em, open, this.actor, `Alert fired again (occurrence ${open.occurrences}):\n${description}`, true);
    return open;
  }

  private async open(
    em: EntityManager,
    fields: {
      title: string;
      description: string;
      businessId: string | null;
      contactId: string | null;
      assigneeId: string | null;
      tagNames: string[];
      submitterName: string | null;
      submitterEmail: string | null;
      submittedCompanyName: string | null;
      channel: TicketChannel;
      dedup: { key: string; owner: string } | null;
      priority?: TicketPriority | null;
      dueAt?: Date | null;
    },
  ): Promise<Ticket> {
    const contact = fields.contactId ? await this.findOrBadInput(em, Contact, fields.contactId, 'contactId') : null;
    const business = fields.businessId ? await this.findOrBadInput(em, Business, fields.businessId, 'businessId') : (contact?.business ?? null);
    if (contact && business && contact.business.id !== business.id) throw badInput('The contact belongs to another business.', 'contactId');
    const assignee = fields.assigneeId ? await this.findOrBadInput(em, User, fields.assigneeId, 'assigneeId') : null;
    const tags = await this.tags.findOrCreate(em, fields.tagNames);

    const ticket = em.create(Ticket, {
      title: fields.title,
      description: fields.description,
      submitterName: fields.submitterName,
      submitterEmail: fields.submitterEmail,
      submittedCompanyName: fields.submittedCompanyName,
      priority: fields.priority ?? TicketPriority.MEDIUM,
      channel: fields.channel,
      dedupKey: fields.dedup?.key ?? null,
      dedupOwner: fields.dedup?.owner ?? null,
      status: business ? TicketStatus.OPEN : TicketStatus.UNASSIGNED,
      business,
      contact,
      assignee,
      creator: this.actor.kind === 'user' ? em.getReference(User, this.actor.id) : null,
      dueAt: fields.dueAt ?? null,
      dueAtManual: Boolean(fields.dueAt),
    });
    await this.sla.setDueDates(em, ticket);
    ticket.tags.set(tags);
    recordEvent(em, ticket, this.actor, TicketEventType.CREATED, {
      toStatus: ticket.status,
      details: { channel: fields.channel, priority: ticket.priority },
    });
    if (assignee) recordEvent(em, ticket, this.actor, TicketEventType.ASSIGNED, { details: { from: null, to: assignee.globalId } });
    if (tags.length > 0) recordEvent(em, ticket, this.actor, TicketEventType.TAGGED, { details: { added: tags.map((t) => t.name), removed: [] } });
    return ticket;
  }

  update(input: UpdateTicketInput): Promise<Ticket> {
    const title = input.title === undefined || input.title === null ? null : text(input.title, 'title', LIMITS.title);
    const description =
      input.description === undefined || input.description === null ? null : text(input.description, 'description', LIMITS.body);
    return this.change(input.ticketId, input.expectedVersion, async (em, ticket) => {
      const changed: string[] = [];
      if (title !== null && title !== ticket.title) {
        ticket.title = title;
        changed.push('title');
      }
      if (description !== null && description !== ticket.description) {
        ticket.description = description;
        changed.push('description');
      }
      if (changed.length > 0) recordEvent(em, ticket, this.actor, TicketEventType.UPDATED, { details: { fields: [...changed] } });
      if (input.priority && input.priority !== ticket.priority) {
        const before = { priority: ticket.priority, dueAt: ticket.dueAt?.toISOString() ?? null };
        await this.sla.priorityChanging(em, ticket, new Date());
        ticket.priority = input.priority;
        // The new priority's policy sets new due dates (a hand-set due date stays).
        await this.sla.setDueDates(em, ticket);
        recordEvent(em, ticket, this.actor, TicketEventType.PRIORITY_CHANGED, {
          details: { from: before.priority, to: ticket.priority, dueAtBefore: before.dueAt, dueAt: ticket.dueAt?.toISOString() ?? null },
        });
        changed.push('priority');
      }
      return changed.length > 0;
    });
  }

  assign(input: AssignTicketInput): Promise<Ticket> {
    const assigneeId = optionalIdOf(input.assigneeId, 'User', 'assigneeId');
    return this.change(input.ticketId, input.expectedVersion, async (em, ticket) => {
      if ((ticket.assignee?.id ?? null) === assigneeId) return false;
      const assignee = assigneeId ? await this.findOrBadInput(em, User, assigneeId, 'assigneeId') : null;
      recordEvent(em, ticket, this.actor, TicketEventType.ASSIGNED, {
        details: { from: ticket.assignee?.globalId ?? null, to: assignee?.globalId ?? null },
      });
      ticket.assignee = assignee;
      if (assignee) assignee.lastAssignedAt = new Date();
      return true;
    });
  }

  setTags(input: SetTicketTagsInput): Promise<Ticket> {
    const names = TagService.normalize(input.tags);
    return this.change(input.ticketId, input.expectedVersion, async (em, ticket) => {
      const tags = await this.tags.findOrCreate(em, names);
      await ticket.tags.init();
      const before = ticket.tags.getItems();
      const added = tags.filter((t) => !before.some((b) => b.id === t.id)).map((t) => t.name);
      const removed = before.filter((b) => !tags.some((t) => t.id === b.id)).map((t) => t.name);
      if (added.length === 0 && removed.length === 0) return false;
      ticket.tags.set(tags);
      recordEvent(em, ticket, this.actor, TicketEventType.TAGGED, { details: { added, removed } });
      return true;
    });
  }

  /**
   * Links the business (and contact); an UNASSIGNED ticket becomes OPEN. Without a contact, one is
   * found or made from the submitter's name and email, so the customer's next message matches at once.
   * `em` lets a caller run it inside its own transaction (createBusinessFromTicket).
   */
  link(input: LinkTicketInput, em?: EntityManager): Promise<Ticket> {
    const businessId = idOf(input.businessId, 'Business', 'businessId');
    const contactId = optionalIdOf(input.contactId, 'Contact', 'contactId');
    return this.change(
      input.ticketId,
      input.expectedVersion,
      async (tem, ticket) => {
        const business = await this.findOrBadInput(tem, Business, businessId, 'businessId');
        const contact = contactId
          ? await this.findOrBadInput(tem, Contact, contactId, 'contactId')
          : await this.submitterContact(tem, ticket, business);
        if (contact && contact.business.id !== business.id) throw badInput('The contact belongs to another business.', 'contactId');
        if (ticket.business?.id === business.id && (contact === null || ticket.contact?.id === contact.id)) return false;
        // A contact of the previous business does not stay on a ticket moved to another business.
        ticket.contact = contact ?? (ticket.business?.id === business.id ? ticket.contact : null);
        ticket.business = business;
        recordEvent(tem, ticket, this.actor, TicketEventType.LINKED, {
          details: { business: business.globalId, contact: ticket.contact?.globalId ?? null },
        });
        if (ticket.status === TicketStatus.UNASSIGNED) {
          recordEvent(tem, ticket, this.actor, TicketEventType.STATUS_CHANGED, { fromStatus: ticket.status, toStatus: TicketStatus.OPEN });
          ticket.status = TicketStatus.OPEN;
        }
        if (!ticket.assignee && (await this.autoAssigns(tem, 'linked'))) {
          await tem.flush();
          await assignBest(tem, ticket, this.actor);
        }
        return true;
      },
      { em },
    );
  }

  /** Whether the assignment policy assigns new, or newly linked, tickets automatically. */
  private async autoAssigns(em: EntityManager, which: 'new' | 'linked'): Promise<boolean> {
    const policy = await em.findOneOrFail(AssignmentPolicy, { id: 1 });
    return which === 'new' ? policy.autoAssignNewTickets : policy.autoAssignLinkedTickets;
  }

  /**
   * The contact for the ticket's submitter at `business`: the existing one with that email, or a new
   * one. Null when there is no submitter email, or it already belongs to a contact of another business.
   */
  private async submitterContact(em: EntityManager, ticket: Ticket, business: Business): Promise<Contact | null> {
    const email = ticket.submitterEmail;
    if (!email) return null;
    const existing = await em.findOne(Contact, { email });
    if (existing) return existing.business.id === business.id ? existing : null;
    return em.create(Contact, { business, email, name: ticket.submitterName ?? email.slice(0, email.indexOf('@')), phone: ticket.submitterPhone });
  }

  /**
   * Runs `apply` on the locked ticket inside one transaction (nested in `em`'s when given). `apply`
   * answers whether it changed the ticket; only then do `version` and `updatedAt` move. Staff work only
   * (see the ticket policy), unless `customerMay`: then the ticket's customer passes too, and `apply` decides.
   * With `followMerge`, a change addressed to a merged ticket lands on the ticket it was merged into
   * (`expectedVersion` is still that of the addressed ticket: a client that has not seen the merge gets CONFLICT).
   */
  async change(
    ticketId: string,
    expectedVersion: number | null | undefined,
    apply: (em: EntityManager, ticket: Ticket) => Promise<boolean>,
    { customerMay = false, em: outer, followMerge = false }: { customerMay?: boolean; em?: EntityManager; followMerge?: boolean } = {},
  ): Promise<Ticket> {
    const id = idOf(ticketId, 'Ticket', 'ticketId');
    return (outer ?? this.em).transactional(async (em) => {
      const { addressed, target: ticket } = followMerge
        ? await lockFollowingMerges(em, this.actor, id)
        : await this.lockVisible(em, id).then((locked) => ({ addressed: locked, target: locked }));
      if (!canWorkOnTickets(this.actor) && !(customerMay && this.actor.kind === 'contact')) {
        throw denied(this.actor, 'Only staff and API keys with TICKETS_WRITE change tickets.');
      }
      this.checkVersion(addressed, expectedVersion);
      if (await apply(em, ticket)) {
        ticket.version += 1;
        ticket.updatedAt = new Date();
      }
      await em.flush();
      return ticket;
    });
  }

  /** Locks a ticket row the viewer may see, or answers NOT_FOUND. */
  async lockVisible(em: EntityManager, id: string): Promise<Ticket> {
    return findVisibleById(em, Ticket, 'Ticket', id, ticketRule(this.actor).where, { lockMode: LockMode.PESSIMISTIC_WRITE });
  }

  checkVersion(ticket: Ticket, expectedVersion: number | null | undefined): void {
    if (expectedVersion !== null && expectedVersion !== undefined && expectedVersion !== ticket.version) {
      throw conflict(`The ticket changed since version ${expectedVersion}; it is now at version ${ticket.version}.`, {
        currentVersion: ticket.version,
      });
    }
  }

  private async findOrBadInput<T extends object>(
    em: EntityManager,
    entity: new () => T,
    id: string,
    field: string,
  ): Promise<T> {
    const found = await em.findOne(entity, { id } as never);
    if (!found) throw badInput(`${field} names nothing that exists.`, field);
    return found as T;
  }
}
