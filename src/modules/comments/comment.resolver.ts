import { Arg, Ctx, FieldResolver, Mutation, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context';
import { INPUT } from '../../shared/descriptions';
import { notFound } from '../../shared/errors';
import { Ticket } from '../tickets/ticket.entity';
import { User } from '../users/user.entity';
import { Comment } from './comment.entity';
import { AddCommentInput } from './comment.inputs';
import { CommentPayload } from './comment.payloads';

@Resolver(() => Comment)
export class CommentResolver {
  @Mutation(() => CommentPayload, {
    description: 'Comment on a ticket: external (the customer sees it) by default, internal for team notes.',
  })
  addComment(@Arg('input', () => AddCommentInput, { description: INPUT }) input: AddCommentInput, @Ctx() ctx: Context) {
    return ctx.services.comments.add(input);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The staff member who wrote it; null for customers and integrations.' })
  author(@Root() comment: Comment, @Ctx() ctx: Context) {
    return comment.author && ctx.loaders.users.now(comment.author.id);
  }

  @FieldResolver(() => Ticket, { description: 'The ticket it belongs to.' })
  async ticket(@Root() comment: Comment, @Ctx() ctx: Context) {
    // Read through the viewer's ticket scope like any other path to a ticket.
    return (await ctx.loaders.visibleTickets.load(comment.ticket.id)) ?? Promise.reject(notFound('Ticket'));
  }
}
