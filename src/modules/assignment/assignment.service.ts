import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput, notFound } from '../../shared/errors';
import { idOf, optionalIdOf } from '../../shared/validation';
import { TagService } from '../tags/tag.service';
import type { Ticket } from '../tickets/ticket.entity';
import type { TicketService } from '../tickets/ticket.service';
import { denied, isAdmin, isStaff } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import { User } from '../users/user.entity';
import { Role } from '../users/user.enums';
import { assignBest, suggestionsFor } from './assign-best';
import type { Suggestion } from './assignment-score';
import { AssignmentPolicy } from './assignment-policy.entity';
import type {
  AutoAssignTicketInput,
  SetAgentCapacityInput,
  SetAgentExpertiseInput,
  SetAvailabilityInput,
  UpdateAssignmentPolicyInput,
} from './assignment.inputs';

/** Agent profiles (expertise, capacity, availability), suggestions, automatic assignment and its policy. */
export class AssignmentService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly tickets: TicketService,
    private readonly tags: TagService,
  ) {}

  async suggestions(ticket: Ticket, limit: number): Promise<Suggestion[]> {
    if (!isStaff(this.actor)) throw denied(this.actor, 'Only staff see assignment suggestions.');
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) throw badInput('limit must be between 1 and 50.', 'limit');
    return (await suggestionsFor(this.em, ticket)).slice(0, limit);
  }

  autoAssign(input: AutoAssignTicketInput): Promise<Ticket> {
    return this.tickets.change(input.ticketId, input.expectedVersion, (em, ticket) => assignBest(em, ticket, this.actor));
  }

  policy(): Promise<AssignmentPolicy> {
    if (!isStaff(this.actor)) throw denied(this.actor, 'Only staff read the assignment policy.');
    return this.em.findOneOrFail(AssignmentPolicy, { id: 1 });
  }

  updatePolicy(input: UpdateAssignmentPolicyInput): Promise<AssignmentPolicy> {
    if (!isAdmin(this.actor)) throw denied(this.actor, 'Only admins change the assignment policy.');
    return this.em.transactional(async (em) => {
      const policy = await em.findOneOrFail(AssignmentPolicy, { id: 1 }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      policy.autoAssignNewTickets = input.autoAssignNewTickets ?? policy.autoAssignNewTickets;
      policy.autoAssignLinkedTickets = input.autoAssignLinkedTickets ?? policy.autoAssignLinkedTickets;
      policy.updatedAt = new Date();
      return policy;
    });
  }

  /** The agent a profile change is for: admins change anyone's, agents their own. */
  private async agentFor(userId: string | null | undefined, what: string): Promise<User> {
    if (this.actor.kind !== 'user') throw denied(this.actor, `Only staff change ${what}.`);
    const id = optionalIdOf(userId, 'User', 'userId') ?? this.actor.id;
    if (id !== this.actor.id && !isAdmin(this.actor)) throw denied(this.actor, `Only admins change another agent's ${what}.`);
    const agent = await this.em.findOne(User, { id });
    if (!agent) throw notFound('User');
    return agent;
  }

  async setExpertise(input: SetAgentExpertiseInput): Promise<User> {
    const names = TagService.normalize(input.tags);
    const agent = await this.agentFor(input.userId, 'expertise');
    return this.em.transactional(async (em) => {
      const tags = await this.tags.findOrCreate(em, names);
      await em.execute('delete from agent_expertise where user_id = ?', [agent.id]);
      for (const tag of tags) await em.execute('insert into agent_expertise (user_id, tag_id) values (?, ?)', [agent.id, tag.id]);
      return agent;
    });
  }

  async setAvailability(input: SetAvailabilityInput): Promise<User> {
    const agent = await this.agentFor(input.userId, 'availability');
    agent.availability = input.availability;
    await this.em.flush();
    return agent;
  }

  async setCapacity(input: SetAgentCapacityInput): Promise<User> {
    if (!isAdmin(this.actor)) throw denied(this.actor, 'Only admins change capacities.');
    if (!Number.isInteger(input.capacity) || input.capacity < 0 || input.capacity > 1000) throw badInput('capacity must be between 0 and 1000.', 'capacity');
    const agent = await this.em.findOne(User, { id: idOf(input.userId, 'User', 'userId'), role: Role.AGENT });
    if (!agent) throw badInput('userId names no agent.', 'userId');
    agent.capacity = input.capacity;
    await this.em.flush();
    return agent;
  }
}
