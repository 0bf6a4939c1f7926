import { Entity, ManyToOne, Property } from '@mikro-orm/core';
import { Field, Int, ObjectType } from 'type-graphql';
import { BaseEntity } from '../../shared/base.entity';
import { Node } from '../../shared/node';
import { Comment } from '../comments/comment.entity';
import { Ticket } from '../tickets/ticket.entity';

/** A file that came with an inbound message. Only its description is kept, not its content. */
@ObjectType({ implements: Node, description: 'A file that came with an inbound email (listed; the content is not stored).' })
@Entity({ tableName: 'attachment' })
export class Attachment extends BaseEntity<'comment'> {
  @ManyToOne(() => Ticket, { deleteRule: 'cascade' })
  ticket!: Ticket;

  /** The reply it came with; null when it came with the message that opened the ticket. */
  @ManyToOne(() => Comment, { nullable: true, deleteRule: 'cascade' })
  comment: Comment | null = null;

  @Field({ description: 'File name as sent.' })
  @Property({ length: 255 })
  filename!: string;

  @Field({ description: 'MIME type as sent, e.g. application/pdf.' })
  @Property({ length: 255 })
  contentType!: string;

  @Field(() => Int, { description: 'Size in bytes.' })
  @Property({ type: 'integer' })
  sizeBytes!: number;
}
