import { BeforeCreate, Entity, Enum, ManyToOne, Property } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { Node } from '../../shared/node';
import { encodeCursor } from '../../shared/pagination';
import { Contact } from '../businesses/contact.entity';
import { User } from '../users/user.entity';
import { TicketStatus } from './ticket.enums';
import { Ticket } from './ticket.entity';

/** The kinds of timeline entries. Stored as text so later kinds need no migration. */
export enum TicketEventType {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  STATUS_CHANGED = 'STATUS_CHANGED',
  PRIORITY_CHANGED = 'PRIORITY_CHANGED',
  ASSIGNED = 'ASSIGNED',
  TAGGED = 'TAGGED',
  LINKED = 'LINKED',
  COMMENTED = 'COMMENTED',
  DUE_DATE_CHANGED = 'DUE_DATE_CHANGED',
  SLA_BREACHED = 'SLA_BREACHED',
  /** A clock passed SLA_WARN_AT of its time without being met (internal; recorded once per clock by a job). */
  SLA_AT_RISK = 'SLA_AT_RISK',
  AUTO_CLOSED = 'AUTO_CLOSED',
  FOLLOW_UP_SCHEDULED = 'FOLLOW_UP_SCHEDULED',
  FOLLOW_UP_COMPLETED = 'FOLLOW_UP_COMPLETED',
  /** A pending follow-up fell due (internal; recorded once per follow-up by a job). */
  FOLLOW_UP_DUE = 'FOLLOW_UP_DUE',
  AUTO_ASSIGN_SKIPPED = 'AUTO_ASSIGN_SKIPPED',
  SATISFACTION_RATED = 'SATISFACTION_RATED',
  /** This ticket was merged into another (details.into names it); see modules/merge. */
  MERGED = 'MERGED',
  /** Other tickets were merged into this one (details.sources names them). */
  MERGED_IN = 'MERGED_IN',
  /** A merge was undone, on the source and on its target. */
  UNMERGED = 'UNMERGED',
  /** A link to another ticket was added or removed (details.linked); see modules/links. */
  TICKET_LINKED = 'TICKET_LINKED',
  /** The ticket was linked to, or unlinked from, a problem, or a linked problem changed (internal); see modules/problems. */
  PROBLEM_CHANGED = 'PROBLEM_CHANGED',
}

/**
 * One entry of a ticket's timeline, appended in the same transaction as the change it records.
 * `isInternal` entries follow the visibility rule of internal comments; a `reasonInternal` entry is
 * visible, its reason alone follows that rule (see access/visibility.ts).
 */
@ObjectType({ implements: Node, description: "One entry of a ticket's timeline: what changed, who did it, and when." })
@Entity()
export class TicketEvent extends BaseEntity<'actor' | 'actorContact' | 'fromStatus' | 'toStatus' | 'reason' | 'reasonInternal' | 'isInternal' | 'details' | 'at' | 'ticketVersion' | 'position' | 'cursor'> {
  @ManyToOne(() => Ticket, { deleteRule: 'cascade' })
  ticket!: Ticket;

  @Field({
    description:
      'What happened: CREATED, UPDATED, STATUS_CHANGED, PRIORITY_CHANGED, ASSIGNED, TAGGED, LINKED, COMMENTED, ' +
      'DUE_DATE_CHANGED, SLA_AT_RISK, SLA_BREACHED, AUTO_CLOSED, FOLLOW_UP_SCHEDULED, FOLLOW_UP_DUE, FOLLOW_UP_COMPLETED, AUTO_ASSIGN_SKIPPED or ' +
      'SATISFACTION_RATED, MERGED, MERGED_IN, UNMERGED, TICKET_LINKED or PROBLEM_CHANGED. ' +
      'New kinds may be added; treat unknown ones as informational.',
  })
  @Property({ type: 'text' })
  type!: TicketEventType;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  actor: User | null = null;

  @ManyToOne(() => Contact, { nullable: true, deleteRule: 'set null' })
  actorContact: Contact | null = null;

  @Field(() => TicketStatus, { nullable: true, description: 'Status before, for status changes.' })
  @Enum({ items: () => TicketStatus, type: 'text', nullable: true })
  fromStatus: TicketStatus | null = null;

  @Field(() => TicketStatus, { nullable: true, description: 'Status after, for status changes and creation.' })
  @Enum({ items: () => TicketStatus, type: 'text', nullable: true })
  toStatus: TicketStatus | null = null;

  /** Shown through TicketEventResolver.reason, under `reasonInternal`. */
  @Property({ type: 'text', nullable: true })
  reason: string | null = null;

  /** The reason is for the team only (a staff move the customer was not told about); the entry itself is not. */
  @Property({ default: false })
  reasonInternal: boolean = false;

  @Field({ description: 'True for entries only the team may see (they are never sent to customers).' })
  @Property({ default: false })
  isInternal: boolean = false;

  @Field(() => Int, { nullable: true, description: "The ticket's version once this change was made." })
  @Property({ type: 'integer', nullable: true })
  ticketVersion: number | null = null;

  @Field(() => GraphQLJSONObject, { description: 'Details of the change, e.g. { "from": "LOW", "to": "HIGH" }.' })
  @Property({ type: 'jsonb', default: '{}' })
  details: Record<string, unknown> = {};

  /** Place on the whole timeline: the writing transaction's id × 2^24 + rank (see Migration20261206060000_feed_positions). */
  @Property({ type: 'bigint', defaultRaw: `timeline_next_position()` })
  position!: string;

  @Field({ description: 'Where this entry stands on the timeline: pass it as `since` to `ticketEvents` to resume after it.' })
  get cursor(): string {
    return encodeCursor(['timeline', this.position]);
  }

  /** Entries are stamped with the ticket's version as flushed, i.e. after the change bumped it. */
  @BeforeCreate()
  stampVersion(): void {
    this.ticketVersion ??= this.ticket.version;
  }

  @Field({ description: 'When it happened.' })
  get at(): Date {
    return this.createdAt;
  }
}
