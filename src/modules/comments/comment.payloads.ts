import { Field, ObjectType } from 'type-graphql';
import { Connection } from '../../shared/pagination';
import { Ticket } from '../tickets/ticket.entity';
import { Comment } from './comment.entity';

export const CommentConnection = Connection(Comment, 'Comment');

@ObjectType({ description: 'The new comment and its ticket.' })
export class CommentPayload {
  @Field(() => Comment, { description: 'The comment as stored.' })
  comment!: Comment;

  @Field(() => Ticket, { description: 'The ticket it was added to.' })
  ticket!: Ticket;
}
