import { Entity, Enum, ManyToOne, Property } from '@mikro-orm/core';
import { BaseEntity } from '../../shared/base.entity';
import { Comment } from '../comments/comment.entity';
import { Ticket } from '../tickets/ticket.entity';

export enum EmailDirection {
  INBOUND = 'INBOUND',
  OUTBOUND = 'OUTBOUND',
}

/**
 * A Message-ID we received or sent, tied to its ticket: replies are threaded by matching their
 * In-Reply-To / References against these, and a Message-ID seen twice is recognized as a duplicate.
 * An automatic message that answered no ticket is kept without one (IGNORED), so a redelivery is
 * still recognized.
 */
@Entity({ tableName: 'email_message' })
export class EmailMessage extends BaseEntity<'comment' | 'ticket' | 'provesThread'> {
  @Property({ length: 998, unique: true })
  messageId!: string;

  @ManyToOne(() => Ticket, { nullable: true, deleteRule: 'cascade' })
  ticket: Ticket | null = null;

  @ManyToOne(() => Comment, { nullable: true, deleteRule: 'set null' })
  comment: Comment | null = null;

  @Enum({ items: () => EmailDirection, type: 'text' })
  direction!: EmailDirection;

  /**
   * Whether naming this Message-ID threads a reply onto the ticket as proof that the sender had our
   * mail. False for a message that was itself not believed (kept as a note, IGNORED, or opening an
   * unlinked ticket): otherwise a stranger could name a ticket by its subject once, then reply to
   * their own message to be taken as a proven thread.
   */
  @Property({ default: true })
  provesThread: boolean = true;
}
