import { toGlobalId } from '../../src/shared/global-id';
import { DAY, type PolicyClock } from './clock';
import { shuffle, uuid7, Weighted, type Rng } from './random';
import { TEMPLATES } from './vocabulary';

/** What one run's tickets are made of: staff, businesses, tags, SLA policies, and the picks among them. */

export const PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const PRIORITY_PICK = new Weighted([30, 45, 20, 5]);
export const CHANNELS = ['EMAIL', 'WEB_FORM', 'PHONE', 'STAFF', 'MONITORING', 'API'] as const;
export const CHANNEL_PICK = new Weighted([36, 25, 15, 9, 8, 7]);

export interface Policy {
  firstResponseSeconds: number;
  resolutionSeconds: number;
  clock: PolicyClock;
  businessHours: boolean;
  pauseOnThirdParty: boolean;
}

export interface Agent {
  id: string;
  gid: string;
  name: string;
  /** Scales the typical delays: some agents are quicker than others. */
  pace: number;
  /** Shifts the ratings of the tickets they handle. */
  mood: number;
}

export interface Business {
  id: string;
  gid: string;
  name: string;
  domain: string;
}

export interface Contact {
  id: string;
  gid: string;
  name: string;
  email: string;
}

export interface Tag {
  id: string;
  name: string;
}

export interface Customer {
  name: string;
  email: string | null;
  contactId: string | null;
}

/** Who acted: the timeline's actor columns, and what goes into `details` for API keys and senders. */
export interface Actor {
  userId: string | null;
  contactId: string | null;
  extra: string;
}

export const SYSTEM: Actor = { userId: null, contactId: null, extra: '' };
export const API_KEYS = { MONITORING: 'Prometheus Alertmanager', API: 'CRM sync' } as const;

export interface World {
  rng: Rng;
  now: number;
  agents: Agent[];
  agentPick: Weighted;
  admins: Agent[];
  businesses: Business[];
  businessPick: Weighted;
  /** Two a business, in business order. */
  contacts: Contact[];
  phantomBusinessGids: string[];
  tags: Tag[];
  tagIndex: Map<string, number>;
  templatePick: Weighted;
  policies: Record<Priority, Policy>;
}

/** The people, businesses and tags already loaded, with the skewed picks among them. */
export function buildWorld(
  rng: Rng,
  now: number,
  origin: number,
  loaded: { agents: Agent[]; admins: Agent[]; businesses: Business[]; contacts: Contact[]; tags: Tag[] },
  policies: Record<Priority, Policy>,
): World {
  const { agents, admins, businesses, contacts, tags } = loaded;
  return {
    rng,
    now,
    agents,
    agentPick: new Weighted(agents.map(() => rng.lognormal(1, 0.35))),
    admins,
    businesses,
    // A few businesses raise most tickets; shuffled, so that is not the oldest ones.
    businessPick: new Weighted(shuffle(rng, businesses.map((_, i) => Math.pow(i + 10, -0.9)))),
    contacts,
    // Businesses deleted since: old tickets without a business still name them in their timeline.
    phantomBusinessGids: Array.from({ length: Math.max(5, Math.round(businesses.length * 0.05)) }, () => toGlobalId('Business', uuid7(rng, origin + rng.int(30 * DAY)))),
    tags,
    tagIndex: new Map(tags.map((t, i) => [t.name, i])),
    templatePick: new Weighted(TEMPLATES.map((_, i) => Math.pow(i + 3, -0.8))),
    policies,
  };
}

const actors = new WeakMap<Agent, Actor>();
/** One Actor object an agent, so the simulation does not allocate one per timeline entry. */
export function actorOf(agent: Agent): Actor {
  let actor = actors.get(agent);
  if (!actor) actors.set(agent, (actor = { userId: agent.id, contactId: null, extra: '' }));
  return actor;
}

export function pickAgent(world: World): Agent {
  return world.agents[world.agentPick.pick(world.rng)];
}

/** Tag indexes for a ticket: mostly its title family's tags, topped up at random. */
export function pickTags(rng: Rng, world: World, hints: string[]): number[] {
  const count = [0, 0, 1, 1, 1, 1, 2, 2, 2, 3][rng.int(10)];
  const chosen = new Set<number>();
  for (const hint of hints) if (chosen.size < count && rng.chance(0.85)) chosen.add(world.tagIndex.get(hint)!);
  while (chosen.size < count) chosen.add(rng.int(world.tags.length));
  return [...chosen];
}
