import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/modules/users/auth/passwords';
import { toGlobalId } from '../../src/shared/global-id';
import { DAY, HOUR } from './clock';
import { CopyWriter, esc, iso, NULL, str } from './copy-writer';
import { uuid7, type Rng } from './random';
import { phone } from './texts';
import { COMPANY_SUFFIXES, COMPANY_TRADES, COMPANY_WORDS, FIRST_NAMES, LAST_NAMES, TAG_NAMES } from './vocabulary';
import { API_KEYS, type Agent, type Business, type Contact, type Tag } from './world';

/** What tickets refer to: staff, tags and expertise, businesses with two contacts each, API keys. */
export interface ReferenceData {
  agents: Agent[];
  admins: Agent[];
  tags: Tag[];
  businesses: Business[];
  contacts: Contact[];
}

interface Scale {
  now: number;
  /** When the data set begins: staff first, then businesses over the following weeks. */
  origin: number;
  agentCount: number;
  businessCount: number;
  password: string;
}

/** Loads the reference data with COPY; staff and 30% of the contacts can log in with `password`. */
export async function loadReferenceData(database: string, rng: Rng, scale: Scale): Promise<ReferenceData> {
  const passwordHash = await hashPassword(scale.password);
  const staffAt = scale.origin + rng.int(DAY);
  const { agents, admins } = await loadStaff(database, rng, scale, staffAt, passwordHash);
  const tags = await loadTags(database, rng, staffAt, agents);
  const { businesses, contacts } = await loadBusinesses(database, rng, scale, agents, passwordHash);
  await loadApiKeys(database, rng, staffAt, admins);
  return { agents, admins, tags, businesses, contacts };
}

function person(rng: Rng): string {
  return `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
}

async function loadStaff(database: string, rng: Rng, scale: Scale, staffAt: number, passwordHash: string): Promise<{ agents: Agent[]; admins: Agent[] }> {
  const agents: Agent[] = Array.from({ length: scale.agentCount }, () => {
    const id = uuid7(rng, staffAt);
    return { id, gid: toGlobalId('User', id), name: person(rng), pace: rng.lognormal(1, 0.3), mood: rng.between(-0.35, 0.25) };
  });
  const admins: Agent[] = Array.from({ length: 2 }, () => {
    const id = uuid7(rng, staffAt);
    return { id, gid: toGlobalId('User', id), name: person(rng), pace: 1, mood: 0 };
  });
  const users = await CopyWriter.open(database, 'app_user', ['id', 'created_at', 'name', 'email', 'role', 'password_hash', 'capacity', 'availability', 'last_assigned_at'], false);
  admins.forEach((a, i) => users.push(`${a.id}\t${iso(staffAt)}\t${a.name}\tadmin${i + 1}@load.example\tADMIN\t${passwordHash}\t20\tAVAILABLE\t${NULL}\n`));
  agents.forEach((a, i) =>
    users.push(
      `${a.id}\t${iso(staffAt)}\t${a.name}\tagent${i + 1}@load.example\tAGENT\t${passwordHash}\t${[15, 20, 20, 25, 30][i % 5]}\t` +
        `${rng.chance(0.9) ? 'AVAILABLE' : 'AWAY'}\t${iso(scale.now - rng.int(3 * HOUR))}\n`,
    ),
  );
  await users.finish();
  return { agents, admins };
}

/** The tags, and two to four of them as each agent's expertise. */
async function loadTags(database: string, rng: Rng, staffAt: number, agents: Agent[]): Promise<Tag[]> {
  const tagsWriter = await CopyWriter.open(database, 'tag', ['id', 'created_at', 'name'], false);
  const tags = TAG_NAMES.map((name) => ({ id: uuid7(rng, staffAt + HOUR), name }));
  tags.forEach((t) => tagsWriter.push(`${t.id}\t${iso(staffAt + HOUR)}\t${t.name}\n`));
  await tagsWriter.finish();
  const expertise = await CopyWriter.open(database, 'agent_expertise', ['user_id', 'tag_id'], false);
  for (const agent of agents) {
    const picked = new Set<number>();
    while (picked.size < 2 + rng.int(3)) picked.add(rng.int(tags.length));
    for (const t of picked) expertise.push(`${agent.id}\t${tags[t].id}\n`);
  }
  await expertise.finish();
  return tags;
}

async function loadBusinesses(database: string, rng: Rng, scale: Scale, agents: Agent[], passwordHash: string): Promise<{ businesses: Business[]; contacts: Contact[] }> {
  const businesses: Business[] = [];
  const contacts: Contact[] = [];
  const businessWriter = await CopyWriter.open(database, 'business', ['id', 'created_at', 'name', 'domain', 'account_manager_id'], false);
  const contactWriter = await CopyWriter.open(database, 'contact', ['id', 'created_at', 'business_id', 'name', 'email', 'phone', 'password_hash'], false);
  for (let b = 0; b < scale.businessCount; b += 1) {
    const at = scale.origin + 2 * DAY + rng.int(25 * DAY);
    const id = uuid7(rng, at);
    const base = `${rng.pick(COMPANY_WORDS)} ${rng.pick(COMPANY_TRADES)}`;
    const suffix = rng.pick(COMPANY_SUFFIXES);
    const name = suffix ? `${base} ${suffix}` : base;
    const domain = `${base.toLowerCase().replace(/[^a-z]+/g, '-')}-${b + 1}.example`;
    businesses.push({ id, gid: toGlobalId('Business', id), name, domain });
    businessWriter.push(`${id}\t${iso(at)}\t${esc(name)}\t${domain}\t${rng.chance(0.9) ? rng.pick(agents).id : NULL}\n`);
    for (let c = 0; c < 2; c += 1) {
      const contactAt = at + rng.int(HOUR);
      const contactId = uuid7(rng, contactAt);
      const contactName = person(rng);
      const email = `${contactName.toLowerCase().replace(/[^a-z]+/g, '.')}.${b + 1}${c}@${domain}`;
      const contactPhone = rng.chance(0.6) ? phone(rng) : null;
      contacts.push({ id: contactId, gid: toGlobalId('Contact', contactId), name: contactName, email });
      contactWriter.push(`${contactId}\t${iso(contactAt)}\t${id}\t${esc(contactName)}\t${email}\t${str(contactPhone)}\t${rng.chance(0.3) ? passwordHash : NULL}\n`);
    }
    await businessWriter.flush();
    await contactWriter.flush();
  }
  await businessWriter.finish();
  await contactWriter.finish();
  return { businesses, contacts };
}

/** The keys the monitoring and CRM tickets come through, and one for reports; their secrets are random and unknown. */
async function loadApiKeys(database: string, rng: Rng, staffAt: number, admins: Agent[]): Promise<void> {
  const at = staffAt + DAY;
  const apiKeys = await CopyWriter.open(database, 'api_key', ['id', 'created_at', 'name', 'prefix', 'key_hash', 'scopes', 'created_by_id'], false);
  apiKeys.push(`${uuid7(rng, at)}\t${iso(at)}\t${API_KEYS.MONITORING}\ttg_mon1\t${randomBytes(32).toString('hex')}\t{MONITORING}\t${admins[0].id}\n`);
  apiKeys.push(`${uuid7(rng, at)}\t${iso(at)}\t${API_KEYS.API}\ttg_crm1\t${randomBytes(32).toString('hex')}\t{TICKETS_READ,TICKETS_WRITE}\t${admins[0].id}\n`);
  apiKeys.push(`${uuid7(rng, at)}\t${iso(at)}\tBI dashboard\ttg_bi01\t${randomBytes(32).toString('hex')}\t{REPORTS_READ}\t${admins[1].id}\n`);
  await apiKeys.finish();
}
