import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { badInput } from '../../shared/errors';
import type { Ticket } from '../tickets/ticket.entity';
import type { TicketPriority, TicketStatus } from '../tickets/ticket.enums';
import { denied, isStaff } from '../users/auth/access';
import type { Actor } from '../users/auth/actor';
import { canAdminister } from '../users/user.policy';
import { ALWAYS_OPEN, calendarProblems, type BusinessCalendar } from './business-clock';
import { BusinessHours } from './business-hours.entity';
import { recordBreaches } from './breaches';
import { computeDueDates, markClock, onStatusChange, settleFirstResponse, settleOutcome, type SlaTargets } from './sla-clock';
import type { UpdateBusinessHoursInput, UpdateSlaPolicyInput } from './sla.inputs';
import { SlaPolicy } from './sla-policy.entity';
import type { SlaSettings } from './sla-settings';

/** A year of minutes: the largest target accepted. */
const MAX_TARGET_MINUTES = 365 * 24 * 60;

export function toCalendar(hours: BusinessHours): BusinessCalendar {
  const { timeZone, workingDays, opensAt, closesAt, alwaysOpen } = hours;
  return { timeZone, workingDays, opensAt, closesAt, alwaysOpen };
}

export function toTargets(policy: SlaPolicy, hours: BusinessHours): SlaTargets {
  return {
    firstResponseSeconds: policy.firstResponseMinutes * 60,
    resolutionSeconds: policy.resolutionMinutes * 60,
    calendar: policy.businessHours ? toCalendar(hours) : ALWAYS_OPEN,
    pauseOnThirdParty: policy.pauseOnThirdParty,
  };
}

/** The targets for a priority, read inside the caller's transaction. */
export async function slaTargets(em: EntityManager, priority: TicketPriority): Promise<SlaTargets> {
  const [policy, hours] = await Promise.all([em.findOneOrFail(SlaPolicy, { priority }), em.findOneOrFail(BusinessHours, { id: 1 })]);
  return toTargets(policy, hours);
}

/** The first external reply by staff, at `at`: a late one is a breach; the wait is settled for reports. */
export async function firstResponded(em: EntityManager, ticket: Ticket, at: Date): Promise<void> {
  recordBreaches(em, ticket, at);
  settleFirstResponse(ticket, at, (await slaTargets(em, ticket.priority)).calendar);
  ticket.firstRespondedAt = at;
}

/**
 * SLA policies and business hours (read by staff, changed by admins), and the clocks of tickets:
 * started at creation, retargeted on priority changes, paused and resumed with the status, and
 * breaches recorded on the timeline. Changes to a policy apply to tickets from their next change on.
 */
export class SlaService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
    private readonly settings: SlaSettings,
  ) {}

  policies(): Promise<SlaPolicy[]> {
    if (!isStaff(this.actor)) throw denied(this.actor, 'Only staff read SLA policies.');
    return this.em.find(SlaPolicy, {}, { orderBy: { firstResponseMinutes: 'asc' } });
  }

  async businessHours(): Promise<BusinessHours> {
    if (!isStaff(this.actor)) throw denied(this.actor, 'Only staff read the business hours.');
    return this.em.findOneOrFail(BusinessHours, { id: 1 });
  }

  async updatePolicy(input: UpdateSlaPolicyInput): Promise<SlaPolicy> {
    if (!canAdminister(this.actor)) throw denied(this.actor, 'Only admins change SLA policies.');
    for (const field of ['firstResponseMinutes', 'resolutionMinutes'] as const) {
      const value = input[field];
      if (value !== null && value !== undefined && (value < 1 || value > MAX_TARGET_MINUTES)) {
        throw badInput(`${field} must be between 1 and ${MAX_TARGET_MINUTES}.`, field);
      }
    }
    const changed = await this.em.transactional(async (em) => {
      const policy = await em.findOneOrFail(SlaPolicy, { priority: input.priority }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      policy.firstResponseMinutes = input.firstResponseMinutes ?? policy.firstResponseMinutes;
      policy.resolutionMinutes = input.resolutionMinutes ?? policy.resolutionMinutes;
      policy.businessHours = input.businessHours ?? policy.businessHours;
      policy.pauseOnThirdParty = input.pauseOnThirdParty ?? policy.pauseOnThirdParty;
      policy.updatedAt = new Date();
      return policy;
    });
    this.settings.changed();
    return changed;
  }

  async updateBusinessHours(input: UpdateBusinessHoursInput): Promise<BusinessHours> {
    if (!canAdminister(this.actor)) throw denied(this.actor, 'Only admins change the business hours.');
    const changed = await this.em.transactional(async (em) => {
      const hours = await em.findOneOrFail(BusinessHours, { id: 1 }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      const next = {
        timeZone: input.timeZone ?? hours.timeZone,
        workingDays: input.workingDays ? [...new Set(input.workingDays)].sort() : hours.workingDays,
        opensAt: input.opensAt ?? hours.opensAt,
        closesAt: input.closesAt ?? hours.closesAt,
        alwaysOpen: input.alwaysOpen ?? hours.alwaysOpen,
      };
      const [problem] = calendarProblems(next);
      if (problem) throw badInput(problem.message, problem.field);
      Object.assign(hours, next, { updatedAt: new Date() });
      return hours;
    });
    this.settings.changed();
    return changed;
  }

  /** The targets for a priority: cached, or read inside the caller's transaction. */
  targets(em: EntityManager, priority: TicketPriority): Promise<SlaTargets> {
    return this.settings.targets(em, priority);
  }

  /** Before a priority change: the clock's stretch so far counts on the calendar of the policy it ran under. */
  async priorityChanging(em: EntityManager, ticket: Ticket, now: Date): Promise<void> {
    markClock(ticket, (await this.targets(em, ticket.priority)).calendar, now);
  }

  /** Due dates for a new ticket, or after a priority change (a hand-set due date is kept). */
  async setDueDates(em: EntityManager, ticket: Ticket): Promise<void> {
    computeDueDates(ticket, await this.targets(em, ticket.priority));
  }

  /** The clocks' side of a status move, at `now`: breaches so far are recorded first, then the clocks pause or resume. */
  async statusChanging(em: EntityManager, ticket: Ticket, to: TicketStatus, now: Date): Promise<void> {
    const targets = await this.targets(em, ticket.priority);
    recordBreaches(em, ticket, now);
    settleOutcome(ticket, to, now, targets.calendar);
    onStatusChange(ticket, to, targets, now);
  }
}
