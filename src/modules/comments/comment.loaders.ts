import type { EntityManager } from '@mikro-orm/postgresql';
import { childPageLoaders } from '../../shared/child-pages';
import type { Actor } from '../users/auth/actor';
import { Comment } from './comment.entity';
import { canSeeInternal } from './comment.policy';

/** Comment pages and counts per ticket, with the viewer's visibility rule in the SQL. */
export function createCommentLoaders(em: EntityManager, actor: Actor) {
  const comments = childPageLoaders(em, {
    entity: Comment,
    table: 'comment',
    parentColumn: 'ticket_id',
    visibility: canSeeInternal(actor) ? '' : 'is_internal = false',
  });
  return { commentPages: comments.pages, commentCounts: comments.counts };
}
