import type { EntityManager } from '@mikro-orm/postgresql';
import { childPageLoaders } from '../../shared/child-pages';
import { commentRule } from '../access/visibility';
import type { Actor } from '../users/auth/actor';
import { Comment } from './comment.entity';

/** Comment pages and counts per ticket, with the viewer's rule (its tickets, internal or not) in the SQL. */
export function createCommentLoaders(em: EntityManager, actor: Actor) {
  const comments = childPageLoaders(em, {
    entity: Comment,
    table: 'comment',
    parentColumn: 'ticket_id',
    parentProperty: 'ticket',
    visibility: commentRule(actor).sql,
  });
  return { comments, commentPages: comments.pages, commentCounts: comments.counts };
}
