import type { EntityManager } from '@mikro-orm/postgresql';
import { denied } from '../users/auth/access';
import { badInput, notFound } from '../../shared/errors';
import { idOf, LIMITS, text } from '../../shared/validation';
import { ticketScope } from '../tickets/ticket.policy';
import type { Actor } from '../users/auth/actor';
import { pgArray } from '../../shared/sql';
import { Tag } from './tag.entity';

/** Tags: names are unique ignoring case; a tag is created the first time a ticket uses its name. */
export class TagService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
  ) {}

  /** Every tag, by name. Anyone who reads tickets reads tags. */
  list(): Promise<Tag[]> {
    if (ticketScope(this.actor).kind === 'none') throw denied(this.actor, 'Reading tags needs a staff account, a customer login or an API key with TICKETS_READ.');
    return this.em.find(Tag, {}, { orderBy: { name: 'asc' } });
  }

  async get(tagId: string): Promise<Tag> {
    const id = idOf(tagId, 'Tag', 'id');
    const tag = ticketScope(this.actor).kind === 'none' ? null : await this.em.findOne(Tag, { id });
    if (!tag) throw notFound('Tag');
    return tag;
  }

  /** Checks a list of tag names: trimmed, each 1..50 characters, at most 20, duplicates (any case) merged. */
  static normalize(names: readonly string[], field = 'tags'): string[] {
    const byKey = new Map<string, string>();
    for (const name of names) {
      const clean = text(name, field, LIMITS.tag);
      if (!byKey.has(clean.toLowerCase())) byKey.set(clean.toLowerCase(), clean);
    }
    if (byKey.size > LIMITS.tagsPerTicket) throw badInput(`A ticket has at most ${LIMITS.tagsPerTicket} tags.`, field);
    return [...byKey.values()];
  }

  /**
   * The tags with these (normalized) names, creating the missing ones inside the caller's transaction.
   * `on conflict do nothing` makes two requests creating the same new tag at once both succeed.
   */
  async findOrCreate(em: EntityManager, names: readonly string[]): Promise<Tag[]> {
    if (names.length === 0) return [];
    const lower = names.map((n) => n.toLowerCase());
    const fresh = names.map(() => new Tag());
    await em.execute(
      `insert into tag (id, created_at, name) select * from unnest(?::uuid[], ?::timestamptz[], ?::text[])
       on conflict ((lower(name))) do nothing`,
      [pgArray(fresh.map((t) => t.id)), pgArray(fresh.map((t) => t.createdAt.toISOString())), pgArray(names)],
    );
    const rows = await em.execute(`select * from tag where lower(name) = any(?::text[])`, [pgArray(lower)]);
    const tags = rows.map((row) => em.map(Tag, row));
    return lower.map((key) => tags.find((t) => t.name.toLowerCase() === key)!);
  }
}
