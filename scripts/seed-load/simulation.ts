import { DAY, HOUR, MINUTE } from './clock';
import { esc, iso, NULL, num, str, ts } from './copy-writer';
import type { Rng } from './random';
import { companyName, describe, fillTitle, longTailTitle, phone, referenceSuffix } from './texts';
import { STOP, TicketState } from './ticket-state';
import {
  COMPANY_WORDS, CUSTOMER_REPLIES, FIRST_NAMES, FIRST_RESPONSES, HOSTS, INTERNAL_NOTES, LAST_NAMES, RATING_BAD, RATING_GOOD, RATING_MEH,
  REOPEN_REASONS, REOPEN_REPLIES, RESOLUTION_NOTES, STAFF_UPDATES, TEMPLATES, WAIT_CUSTOMER_REASONS, WAIT_THIRD_PARTY_REASONS,
} from './vocabulary';
import { actorOf, API_KEYS, CHANNEL_PICK, CHANNELS, pickAgent, pickTags, PRIORITIES, PRIORITY_PICK, SYSTEM, type Actor, type Agent, type Priority } from './world';

/** Typical delays on the policy's clock (seconds), before the agent's own pace. */
const PACE: Record<Priority, { firstResponse: number; work: number }> = {
  URGENT: { firstResponse: 8 * 60, work: 28 * 60 },
  HIGH: { firstResponse: 38 * 60, work: 80 * 60 },
  MEDIUM: { firstResponse: 75 * 60, work: 310 * 60 },
  LOW: { firstResponse: 230 * 60, work: 530 * 60 },
};

/** The auto-close job's quiet period: the app's default AUTO_CLOSE_AFTER. */
const AUTO_CLOSE_SECONDS = 7 * 24 * 3600;

/**
 * One ticket's story, from creation to now or to where it stands now: triage, first response, work
 * with waits on the customer or a third party, resolution, reopens, closing and rating. Its rows go
 * out once the story ends, so the ticket's fact columns agree with its timeline.
 */
export class TicketSim extends TicketState {
  run(index: number, created: number, extraCommentsMean: number): void {
    const { world } = this;
    const { rng } = world;
    this.reset(created);

    const number = 1000 + index;
    this.priority = PRIORITIES[PRIORITY_PICK.pick(rng)];
    this.policy = world.policies[this.priority];
    // Long-tail titles are one of a kind; the rest come from the families, with their tags.
    const template = rng.chance(0.13) ? null : TEMPLATES[world.templatePick.pick(rng)];
    let channel: string = CHANNELS[CHANNEL_PICK.pick(rng)];
    if (template?.channel && rng.chance(0.8)) channel = template.channel;
    if (!template?.channel && channel === 'MONITORING') channel = 'API';
    const title = template ? fillTitle(rng, rng.pick(template.variants)) : longTailTitle(rng, number);

    // Business and customer. 5% have none: recent ones wait in UNASSIGNED for triage; older ones
    // belonged to a business that was deleted since (its contact went with it).
    const recent = world.now - created < 7 * DAY;
    const noBusiness = rng.chance(0.05);
    const deletedBusiness = noBusiness && !recent;
    const businessIndex = noBusiness ? -1 : world.businessPick.pick(rng);
    const business = businessIndex >= 0 ? world.businesses[businessIndex] : null;
    const businessGid = business ? business.gid : deletedBusiness ? rng.pick(world.phantomBusinessGids) : null;
    const intake = channel === 'EMAIL' || channel === 'WEB_FORM';
    const wantsContact = intake ? rng.chance(0.9) : channel === 'MONITORING' ? false : rng.chance(channel === 'API' ? 0.5 : 0.75);
    const contact = business && wantsContact ? world.contacts[businessIndex * 2 + rng.int(2)] : null;
    if (contact) {
      this.customer = { name: contact.name, email: contact.email, contactId: contact.id };
      this.customerActor = { userId: null, contactId: contact.id, extra: '' };
    } else if (intake || (deletedBusiness && wantsContact)) {
      const name = `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
      const domain = business ? business.domain : rng.chance(0.5) ? 'gmail.com' : `${rng.pick(COMPANY_WORDS).toLowerCase()}-${rng.int(900) + 100}.example`;
      const email = `${name.toLowerCase().replace(/[^a-z]+/g, '.')}.${number}@${domain}`;
      this.customer = { name, email, contactId: null };
      this.customerActor = { userId: null, contactId: null, extra: `"sender":"${email}"` };
    }
    const matchedAtOnce = intake && business !== null && rng.chance(0.8);

    const creator = channel === 'STAFF' || channel === 'PHONE' ? pickAgent(world) : null;
    const creatorActor: Actor = creator
      ? actorOf(creator)
      : channel === 'MONITORING' || channel === 'API'
        ? { userId: null, contactId: null, extra: `"apiKey":"${API_KEYS[channel]}"` }
        : this.customerActor;
    const ticketTags = pickTags(rng, world, template?.tags ?? []);

    // Creation.
    // Intake links a known sender at once; staff and integrations create tickets of a business.
    if (intake) this.status = matchedAtOnce ? 'OPEN' : 'UNASSIGNED';
    else this.status = business || deletedBusiness ? 'OPEN' : 'UNASSIGNED';
    this.computeDueDates();
    this.last = created;
    this.updatedAt = created;
    const createdActor = intake ? this.customerActor : creatorActor;
    this.event(created, 'CREATED', createdActor, {
      to: this.status,
      details: intake ? `"channel":"${channel}"` : `"channel":"${channel}","priority":"${this.priority}"`,
    });
    if (matchedAtOnce) {
      const contactGid = contact ? contact.gid : null;
      this.event((this.last += 1), 'LINKED', createdActor, {
        details: `"business":"${businessGid}","contact":${contactGid ? `"${contactGid}"` : 'null'},"automatic":"${contact ? 'CONTACT_EMAIL' : 'EMAIL_DOMAIN'}"`,
      });
    }
    if (!intake && rng.chance(0.55)) {
      this.assignee = pickAgent(world);
      this.assign((this.last += 1), creatorActor, null, this.assignee);
    }
    if (!intake && ticketTags.length > 0) {
      this.event((this.last += 1), 'TAGGED', creatorActor, { details: `"added":[${ticketTags.map((i) => `"${world.tags[i].name}"`).join(',')}],"removed":[]` });
    }

    try {
      this.live(rng, created, channel, businessGid, contact?.gid ?? null, extraCommentsMean);
    } catch (error) {
      if (error !== STOP) throw error;
    }
    this.breachesUntil(world.now, true);

    // The rows (the ticket's in the column order of sinks.ts).
    const customer = this.customer;
    const sinks = this.sinks;
    const submitter = customer !== null && (intake || !contact);
    const reference = channel === 'WEB_FORM' ? `TG-${number}-${referenceSuffix(rng)}` : null;
    const dedupKey = channel === 'MONITORING' ? `${rng.pick(HOSTS)}:${template ? TEMPLATES.indexOf(template) : 0}:${number}` : null;
    sinks.tickets.push(
      [
        this.id, iso(created), number, esc(title), esc(describe(rng, title, customer?.name ?? null)), this.status, this.priority, channel,
        iso(this.updatedAt), ts(this.dueAt), ts(this.resolvedAt), ts(this.closedAt), str(this.resolutionNotes), business?.id ?? NULL,
        contact?.id ?? NULL, this.assignee?.id ?? NULL, creator?.id ?? NULL, submitter ? str(customer?.name) : NULL, submitter ? str(customer?.email) : NULL,
        intake && !matchedAtOnce ? esc(companyName(rng, businessIndex >= 0 ? world.businesses[businessIndex].name : null)) : NULL,
        channel === 'PHONE' || (intake && rng.chance(0.2)) ? phone(rng) : NULL, reference ?? NULL, this.version, 'f',
        ts(this.firstResponseDueAt), ts(this.firstRespondedAt), ts(this.pausedSince), this.pausedSeconds, ts(this.firstResponseBreachedAt),
        ts(this.resolutionBreachedAt), dedupKey ?? NULL, this.occurrences, this.pausedWallSeconds, this.clockSeconds, ts(this.clockMark), this.reopenCount,
        num(this.firstResponseSeconds), num(this.firstResponseBusinessSeconds), num(this.resolutionSeconds), num(this.resolutionBusinessSeconds),
        this.satisfactionToken ?? NULL, num(this.satisfactionScore),
      ].join('\t') + '\n',
    );
    for (const tag of ticketTags) sinks.ticketTags.push(`${this.id}\t${world.tags[tag].id}\n`);
  }

  /** Staff act on the policy's clock (business hours), now and then outside them. */
  private staffAfter(t: number, seconds: number): number {
    if (this.policy.businessHours && !this.world.rng.chance(0.08)) return this.policy.clock.add(t, seconds);
    return t + seconds * 1000;
  }

  private live(rng: Rng, created: number, channel: string, businessGid: string | null, contactGid: string | null, extraMean: number): void {
    const { world } = this;
    const agent = this.assignee ?? pickAgent(world);
    const pace = agent.pace;

    // Triage: an unmatched sender is linked to its business by staff (or, for now, still waits).
    if (this.status === 'UNASSIGNED') {
      if (!businessGid) return;
      const dispatcher = rng.chance(0.5) ? rng.pick(world.admins) : agent;
      const t = this.step(this.staffAfter(created, rng.lognormal(50 * 60, 1)));
      this.changed(t);
      this.event(t, 'LINKED', actorOf(dispatcher), { details: `"business":"${businessGid}","contact":${contactGid ? `"${contactGid}"` : 'null'}` });
      this.status = 'OPEN';
      this.event((this.last = t + 1), 'STATUS_CHANGED', actorOf(dispatcher), { from: 'UNASSIGNED', to: 'OPEN' });
    }

    // Start of work and the first response.
    const firstResponseDelay = rng.lognormal(PACE[this.priority].firstResponse * pace, 1.0);
    const responseAt = this.staffAfter(created, firstResponseDelay);
    const start = this.step(Math.max(this.last + 1, responseAt - rng.between(1, 15) * MINUTE));
    this.changed(start);
    if (!this.assignee) {
      // Starting work on an unowned ticket makes it yours (recorded before the move).
      this.assignee = agent;
      this.assign(start, actorOf(agent), null, agent);
      this.last = start + 1;
    }
    this.move(this.last, 'IN_PROGRESS', actorOf(agent));
    if (rng.chance(0.15)) this.staffComment(this.step(start + rng.between(1, 5) * MINUTE), agent, rng.pick(INTERNAL_NOTES), true);
    if (rng.chance(0.004)) return; // forgotten: sits in progress from here on
    this.staffComment(this.step(Math.max(responseAt, this.last + 1)), agent, rng.pick(FIRST_RESPONSES), false);

    // The work, in segments separated by waits.
    const totalWork = Math.max(rng.lognormal(PACE[this.priority].work * pace, 0.75), firstResponseDelay + 600);
    const waits = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3][rng.int(20)];
    const shares = Array.from({ length: waits + 1 }, () => rng.between(0.3, 1));
    const shareSum = shares.reduce((a, b) => a + b, 0);
    const remaining = Math.max(totalWork - firstResponseDelay, 300);
    const extras = rng.poisson(extraMean);
    const repeats = channel === 'MONITORING' ? Math.min(rng.poisson(0.8), 6) : 0;
    const reassignAt = rng.chance(0.07) ? rng.int(waits + 1) : -1;
    let current = agent;

    for (let segment = 0; segment <= waits; segment += 1) {
      const length = (remaining * shares[segment]) / shareSum;
      const segmentStart = this.last;
      const segmentEnd = this.staffAfter(segmentStart, length);
      // What happens while working: updates, notes, customer messages, repeated alerts, a reassignment.
      const happenings: [number, number][] = [];
      for (let i = 0; i < extras; i += 1) if (rng.int(waits + 1) === segment) happenings.push([rng.next(), 0]);
      if (segment === 0) for (let i = 0; i < repeats; i += 1) happenings.push([rng.next(), 1]);
      if (reassignAt === segment) happenings.push([rng.next(), 2]);
      happenings.sort((a, b) => a[0] - b[0]);
      for (const [fraction, kind] of happenings) {
        const t = this.step(
          this.policy.businessHours ? Math.min(this.policy.clock.add(segmentStart, fraction * length), segmentEnd) : segmentStart + fraction * (segmentEnd - segmentStart),
        );
        if (kind === 1) {
          this.occurrences += 1;
          this.comment(t, { userId: null, contactId: null, extra: `"apiKey":"${API_KEYS.MONITORING}"` }, API_KEYS.MONITORING, `Alert fired again (occurrence ${this.occurrences}):\nthreshold exceeded`, true);
        } else if (kind === 2) {
          const next = pickAgent(world);
          if (next === current) continue;
          this.changed(t);
          this.assign(t, actorOf(rng.chance(0.5) ? rng.pick(world.admins) : current), current, next);
          current = next;
          this.assignee = next;
        } else {
          const roll = rng.next();
          if (roll < 0.25 && this.customer) this.customerComment(t, rng.pick(CUSTOMER_REPLIES));
          else if (roll < 0.6) this.staffComment(t, current, rng.pick(INTERNAL_NOTES), true);
          else this.staffComment(t, current, rng.pick(STAFF_UPDATES), false);
        }
      }

      if (segment < waits) {
        const onCustomer = this.customer !== null && rng.chance(0.8);
        const t = this.step(segmentEnd);
        this.changed(t);
        if (onCustomer) {
          const reason = rng.pick(WAIT_CUSTOMER_REASONS);
          this.move(t, 'WAITING_ON_CUSTOMER', actorOf(current), { reason });
          this.staffComment(this.step(t + 1), current, reason, false);
          if (rng.chance(0.88)) {
            const reply = this.step(t + Math.min(rng.lognormal(18 * HOUR, 1.1), 10 * DAY));
            this.changed(reply);
            this.customerComment(reply, rng.pick(CUSTOMER_REPLIES));
            const back = this.step(reply + 1);
            this.move(back, 'IN_PROGRESS', this.customerActor, { details: '"trigger":"CUSTOMER_REPLY"' });
          } else {
            const back = this.step(this.staffAfter(t + 3 * DAY, rng.between(0, 4) * 3600));
            this.changed(back);
            this.move(back, 'IN_PROGRESS', actorOf(current));
            this.staffComment(this.step(back + 1), current, 'No reply from the customer, following up by phone.', true);
          }
        } else {
          const reason = rng.pick(WAIT_THIRD_PARTY_REASONS);
          this.move(t, 'WAITING_ON_THIRD_PARTY', actorOf(current), { reason, internal: true });
          this.staffComment(this.step(t + 1), current, reason, true);
          const back = this.step(this.staffAfter(t, rng.lognormal(3 * 3600, 0.9)));
          this.changed(back);
          this.move(back, 'IN_PROGRESS', actorOf(current));
          if (rng.chance(0.6)) this.staffComment(this.step(back + rng.between(1, 30) * MINUTE), current, 'Update from the third party received.', true);
        }
        if (rng.chance(0.002)) return; // forgotten
      } else {
        this.resolve(this.step(segmentEnd), current, rng);
      }
    }

    // Reopens (a customer reply, or staff), each followed by more work and another resolution.
    for (let reopen = 0; reopen < 2 && rng.chance(reopen === 0 ? 0.07 : 0.25); reopen += 1) {
      const after = rng.lognormal(30 * HOUR, 1.0);
      if (after >= AUTO_CLOSE_SECONDS * 1000) break;
      const t = this.step(this.resolvedAt + after);
      if (this.customer && rng.chance(0.75)) {
        this.changed(t);
        this.customerComment(t, rng.pick(REOPEN_REPLIES));
        const back = this.step(t + 1);
        this.move(back, 'IN_PROGRESS', this.customerActor, { details: '"trigger":"CUSTOMER_REPLY"' });
      } else {
        const reason = rng.pick(REOPEN_REASONS);
        const internal = rng.chance(0.5);
        this.changed(t);
        this.move(t, 'IN_PROGRESS', actorOf(current), { reason, internal });
        this.staffComment(this.step(t + 1), current, reason, internal);
      }
      if (rng.chance(0.5)) this.staffComment(this.step(this.staffAfter(this.last, rng.lognormal(1800, 1))), current, rng.pick(STAFF_UPDATES), false);
      this.resolve(this.step(this.staffAfter(this.last, rng.lognormal(totalWork * 0.3, 0.8))), current, rng);
    }

    // Closing (the customer, staff, or the auto-close job after a quiet week) and the rating.
    const roll = rng.next();
    const byCustomer = roll < 0.3 && this.customerActor.contactId !== null;
    const byStaff = !byCustomer && roll < 0.45;
    const closeAt = byCustomer
      ? this.resolvedAt + Math.min(rng.lognormal(10 * HOUR, 1), 6 * DAY)
      : byStaff
        ? this.staffAfter(this.resolvedAt, rng.lognormal(4 * 3600, 1))
        : this.resolvedAt + AUTO_CLOSE_SECONDS * 1000 + rng.between(1, 60_000);
    const closer: Actor | null = byCustomer ? this.customerActor : byStaff ? actorOf(current) : null;
    const rated = this.customer !== null && rng.chance(0.36);
    const rateAt = rated ? this.resolvedAt + Math.max(rng.lognormal(8 * HOUR, 1.2), MINUTE) : Infinity;
    const rate = () => {
      const t = this.step(rateAt);
      this.rate(t, rng, current);
    };
    if (rateAt < closeAt) rate();
    const t = this.step(closeAt);
    this.changed(t);
    if (closer) this.move(t, 'CLOSED', closer);
    else {
      const from = this.status;
      this.status = 'CLOSED';
      this.closedAt = t;
      this.event(t, 'AUTO_CLOSED', SYSTEM, { from, to: 'CLOSED', details: `"quietSeconds":${AUTO_CLOSE_SECONDS}` });
    }
    if (rateAt >= closeAt && rated) rate();
  }

  private resolve(t: number, agent: Agent, rng: Rng): void {
    const notes = rng.pick(RESOLUTION_NOTES);
    const internal = rng.chance(0.1);
    this.changed(t);
    this.move(t, 'RESOLVED', actorOf(agent), { reason: notes, internal });
    this.staffComment(this.step(t + 1), agent, notes, internal);
  }

  private rate(t: number, rng: Rng, agent: Agent): void {
    const late = this.firstResponseBreachedAt || this.resolutionBreachedAt;
    const latent = 4.5 + agent.mood - (late ? 1 : 0) - (this.reopenCount > 0 ? 0.6 : 0) + rng.normal() * 0.9;
    // The usual J-shape: the unhappy ones give a 1 rather than a 2.
    const score = late && rng.chance(0.12) ? 1 : Math.min(5, Math.max(1, Math.round(latent)));
    const comment = rng.chance(0.35) ? rng.pick(score >= 4 ? RATING_GOOD : score === 3 ? RATING_MEH : RATING_BAD) : null;
    const byContact = this.customerActor.contactId !== null && rng.chance(0.7);
    this.sinks.ratings.push(`${this.id}\t${score}\t${str(comment)}\t${iso(t)}\t${byContact ? this.customerActor.contactId : NULL}\n`);
    this.satisfactionToken = null;
    this.satisfactionScore = score;
    this.event(t, 'SATISFACTION_RATED', byContact ? this.customerActor : SYSTEM, { details: `"score":${score}` });
  }
}
