import { Collection, Entity, Enum, ManyToMany, ManyToOne, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { Node } from '../../shared/node';
import { Business } from '../businesses/business.entity';
import { Contact } from '../businesses/contact.entity';
import { Tag } from '../tags/tag.entity';
import { User } from '../users/user.entity';
import { TicketChannel, TicketPriority, TicketStatus } from './ticket.enums';

/** Statuses in which the work is over: no longer overdue, no longer counted as open. */
export const FINISHED_STATUSES: readonly TicketStatus[] = [TicketStatus.RESOLVED, TicketStatus.CLOSED];

type TicketOptional =
  | 'number' | 'updatedAt' | 'dueAt' | 'resolvedAt' | 'closedAt' | 'resolutionNotes' | 'resolutionNotesInternal' | 'business' | 'contact'
  | 'assignee' | 'creator' | 'submitterName' | 'submitterEmail' | 'submittedCompanyName' | 'submitterPhone'
  | 'reference' | 'version' | 'tags' | 'isOverdue' | 'dueAtManual' | 'firstResponseDueAt' | 'firstRespondedAt'
  | 'slaPausedSince' | 'slaPausedSeconds' | 'firstResponseBreachedAt' | 'resolutionBreachedAt' | 'dedupKey' | 'dedupOwner' | 'occurrences'
  | 'slaPausedWallSeconds' | 'reopenCount' | 'firstResponseSeconds' | 'firstResponseBusinessSeconds' | 'resolutionSeconds'
  | 'resolutionBusinessSeconds' | 'satisfactionToken' | 'slaClockSeconds' | 'slaClockMark' | 'satisfactionScore'
  | 'firstResponseAtRiskAt' | 'resolutionAtRiskAt' | 'mergedInto';

/**
 * A support request. `number` comes from a database sequence; `version` grows by one with every change
 * and is what `expectedVersion` is compared with. Indexes for the list filters and orderings live in the
 * migration (several are partial or on expressions).
 */
@ObjectType({ implements: Node, description: 'A support request and its state.' })
@Entity()
export class Ticket extends BaseEntity<TicketOptional> {
  @Field(() => Int, { description: 'Sequential human-facing number (#1042); never reused.' })
  @Property({ type: 'integer', defaultRaw: `nextval('ticket_number_seq')`, unique: true })
  number!: number;

  @Field({ description: 'One-line summary.' })
  @Property({ length: 200 })
  title!: string;

  @Field({ description: 'The request in full, as plain text.' })
  @Property({ type: 'text' })
  description!: string;

  @Field(() => TicketStatus, { description: 'Current status.' })
  @Enum({ items: () => TicketStatus, type: 'text' })
  status!: TicketStatus;

  @Field(() => TicketPriority, { description: 'Current priority.' })
  @Enum({ items: () => TicketPriority, type: 'text' })
  priority!: TicketPriority;

  @Field(() => TicketChannel, { description: 'How the ticket reached us.' })
  @Enum({ items: () => TicketChannel, type: 'text' })
  channel!: TicketChannel;

  @Field({ description: 'Last change of any kind (fields, status, tags, links, comments).' })
  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();

  @Field(() => Date, {
    nullable: true,
    description: 'When the ticket should be resolved by: from the SLA policy, or set by hand. Frozen while the SLA clock is paused (see `sla`).',
  })
  @Property({ type: 'timestamptz', nullable: true })
  dueAt: Date | null = null;

  /** True when `dueAt` was set by hand: priority changes then leave it alone. */
  @Property({ default: false })
  dueAtManual: boolean = false;

  @Property({ type: 'timestamptz', nullable: true })
  firstResponseDueAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  firstRespondedAt: Date | null = null;

  /** Set while the SLA clocks are paused (waiting on the customer, or on a third party per policy). */
  @Property({ type: 'timestamptz', nullable: true })
  slaPausedSince: Date | null = null;

  /** Clock seconds spent paused, in completed pauses (business seconds for business-hours policies). */
  @Property({ type: 'integer', default: 0 })
  slaPausedSeconds: number = 0;

  /** Wall-clock seconds spent paused, in completed pauses. */
  @Property({ type: 'integer', default: 0 })
  slaPausedWallSeconds: number = 0;

  /**
   * Seconds the clock ran before `slaClockMark` (null: since creation), each stretch counted on the
   * calendar of the policy in force then. The current stretch runs from the mark unless paused.
   */
  @Property({ type: 'integer', default: 0 })
  slaClockSeconds: number = 0;

  @Property({ type: 'timestamptz', nullable: true })
  slaClockMark: Date | null = null;

  /** Times it went from RESOLVED back to work. */
  @Property({ type: 'integer', default: 0 })
  reopenCount: number = 0;

  /** Creation to first response, less paused time: wall-clock seconds, and seconds on the policy's calendar. */
  @Property({ type: 'integer', nullable: true })
  firstResponseSeconds: number | null = null;

  @Property({ type: 'integer', nullable: true })
  firstResponseBusinessSeconds: number | null = null;

  /** Creation to the last resolution, less paused time (null while not resolved). */
  @Property({ type: 'integer', nullable: true })
  resolutionSeconds: number | null = null;

  @Property({ type: 'integer', nullable: true })
  resolutionBusinessSeconds: number | null = null;

  /** The rating's score, kept on the ticket too so reports read it from the ticket's indexes. */
  @Property({ type: 'smallint', nullable: true })
  satisfactionScore: number | null = null;

  /** Lets a submitter without a login rate the resolved ticket once; cleared when used. */
  @Property({ length: 64, nullable: true, unique: true })
  satisfactionToken: string | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  firstResponseBreachedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  resolutionBreachedAt: Date | null = null;

  /** When the SLA_AT_RISK entry of the first-response clock was recorded (once per clock, see sla/at-risk.job.ts). */
  @Property({ type: 'timestamptz', nullable: true })
  firstResponseAtRiskAt: Date | null = null;

  /** When the SLA_AT_RISK entry of the resolution clock was recorded. */
  @Property({ type: 'timestamptz', nullable: true })
  resolutionAtRiskAt: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'When it was last resolved.' })
  @Property({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null = null;

  @Field(() => Date, { nullable: true, description: 'When it was closed.' })
  @Property({ type: 'timestamptz', nullable: true })
  closedAt: Date | null = null;

  /** Shown through TicketResolver.resolutionNotes, under `resolutionNotesInternal`. */
  @Property({ type: 'text', nullable: true })
  resolutionNotes: string | null = null;

  /** The notes are for the team only: the customer was not told when the ticket was resolved. */
  @Property({ default: false })
  resolutionNotesInternal: boolean = false;

  @ManyToOne(() => Business, { nullable: true, deleteRule: 'set null' })
  business: Business | null = null;

  @ManyToOne(() => Contact, { nullable: true, deleteRule: 'set null' })
  contact: Contact | null = null;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  assignee: User | null = null;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  creator: User | null = null;

  @Field(() => String, { nullable: true, description: 'Name given by the submitter (web form, email).' })
  @Property({ type: 'text', nullable: true })
  submitterName: string | null = null;

  @Field(() => String, { nullable: true, description: 'Email given by the submitter.' })
  @Property({ type: 'text', nullable: true })
  submitterEmail: string | null = null;

  @Field(() => String, { nullable: true, description: 'Company name given by the submitter, kept until a business is linked.' })
  @Property({ type: 'text', nullable: true })
  submittedCompanyName: string | null = null;

  @Field(() => String, { nullable: true, description: 'Phone number given by the submitter.' })
  @Property({ type: 'text', nullable: true })
  submitterPhone: string | null = null;

  @Field(() => String, { nullable: true, description: 'The reference given to a web-form submitter to quote (e.g. TG-1042-K7QF).' })
  @Property({ length: 40, nullable: true, unique: true })
  reference: string | null = null;

  /** A monitoring alert's key: while this ticket is not closed, the same alert from the same caller lands on it. */
  @Field(() => String, { nullable: true, description: 'The monitoring alert key, for tickets opened by a monitoring system.' })
  @Property({ length: 200, nullable: true })
  dedupKey: string | null = null;

  /** Who sent the alert (an idempotency owner, see idempotency.ts): a dedupKey matches only that caller's tickets. */
  @Property({ length: 80, nullable: true })
  dedupOwner: string | null = null;

  @Field(() => Int, { description: 'How many times the alert behind this ticket fired (1 for other tickets).' })
  @Property({ type: 'integer', default: 1 })
  occurrences: number = 1;

  /** Set while this ticket is merged into another (shown as `mergedInto`, see modules/merge). */
  @ManyToOne(() => Ticket, { nullable: true, deleteRule: 'set null' })
  mergedInto: Ticket | null = null;

  @ManyToMany(() => Tag, undefined, { pivotTable: 'ticket_tag', joinColumn: 'ticket_id', inverseJoinColumn: 'tag_id' })
  tags = new Collection<Tag>(this);

  @Field(() => Int, { description: 'Grows by one with every change; pass it as `expectedVersion` to refuse stale edits.' })
  @Property({ type: 'integer' })
  version: number = 1;

  @Field({ description: 'True when `dueAt` has passed, the ticket is neither resolved nor closed, and its SLA clock is running.' })
  get isOverdue(): boolean {
    return (
      this.dueAt !== null && this.dueAt.getTime() < Date.now() && !FINISHED_STATUSES.includes(this.status) && this.slaPausedSince === null
    );
  }
}
