import { Entity, Enum, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/base.entity';
import { Ticket } from '../tickets/ticket.entity';
import { TicketStatus } from '../tickets/ticket.enums';
import { User } from '../users/user.entity';

/**
 * One source merged into one target, with what the merge moved and replaced so that `unmergeTicket`
 * can put it back: the source's comments and attachments (moved to the target), the tags it gave the
 * target, whether it gave the target its contact, and the source's status and dates before it closed.
 * In force while `undoneAt` is null (at most one per source, by a partial unique index).
 */
@Entity({ tableName: 'ticket_merge' })
export class TicketMerge extends BaseEntity<'actor' | 'note' | 'resolvedAtBefore' | 'closedAtBefore' | 'movedCommentIds' | 'movedAttachmentIds' | 'addedTagIds' | 'contactGiven' | 'undoneAt'> {
  @ManyToOne(() => Ticket, { deleteRule: 'cascade' })
  source!: Ticket;

  @ManyToOne(() => Ticket, { deleteRule: 'cascade' })
  target!: Ticket;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null' })
  actor: User | null = null;

  @Property({ type: 'text', nullable: true })
  note: string | null = null;

  @Enum({ items: () => TicketStatus, type: 'text' })
  statusBefore!: TicketStatus;

  @Property({ type: 'timestamptz', nullable: true })
  resolvedAtBefore: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  closedAtBefore: Date | null = null;

  @Property({ type: 'uuid[]' })
  movedCommentIds: string[] = [];

  @Property({ type: 'uuid[]' })
  movedAttachmentIds: string[] = [];

  @Property({ type: 'uuid[]' })
  addedTagIds: string[] = [];

  /** The target had no contact and took the source's. */
  @Property({ default: false })
  contactGiven: boolean = false;

  @Property({ type: 'timestamptz', nullable: true })
  undoneAt: Date | null = null;
}
