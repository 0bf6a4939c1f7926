import type { EntityManager } from '@mikro-orm/postgresql';
import type { Loaders } from './context';
import { CommentService } from './modules/comments/comment.service';
import { SlaService } from './modules/sla/sla.service';
import type { SlaSettings } from './modules/sla/sla-settings';
import { TagService } from './modules/tags/tag.service';
import { TicketService } from './modules/tickets/ticket.service';
import { TicketWorkflowService } from './modules/tickets/ticket-workflow.service';
import type { Actor } from './modules/users/auth/actor';

/**
 * The services that change a ticket, wired to one entity manager: the request's fork (context.ts) or
 * a transaction of its own (bulk/change-set.ts), so every path changes tickets through the same objects
 * and rules.
 */
export function createTicketServices(em: EntityManager, actor: Actor, slaSettings: SlaSettings, loaders: Loaders) {
  const tags = new TagService(em, actor);
  const sla = new SlaService(em, actor, slaSettings);
  const tickets = new TicketService(em, actor, tags, sla, loaders);
  const workflow = new TicketWorkflowService(actor, tickets, sla);
  return { tags, sla, tickets, workflow, comments: new CommentService(em, actor, tickets, workflow) };
}
