import type { EntityManager } from '@mikro-orm/postgresql';
import { denied } from '../users/auth/access';
import { badInput, notFound } from '../../shared/errors';
import { idOf, LIMITS, text } from '../../shared/validation';
import { isStaff } from '../users/auth/access';
import { tagRule, ticketScope } from '../access/visibility';
import type { Actor } from '../users/auth/actor';
import { pgArray } from '../../shared/sql';
import { countTicketsBesideTheFeed } from '../reports/roll-up.writer';
import { Tag } from './tag.entity';

/** Tags: names are unique ignoring case; a tag is created the first time a ticket uses its name. */
export class TagService {
  constructor(
    private readonly em: EntityManager,
    private readonly actor: Actor,
  ) {}

  /** The tags the viewer may see, by name: every tag for staff and keys with TICKETS_READ, a customer's those on its business's tickets. */
  async list(): Promise<Tag[]> {
    if (ticketScope(this.actor).kind === 'none') throw denied(this.actor, 'Reading tags needs a staff account, a customer login or an API key with TICKETS_READ.');
    const visible = tagRule(this.actor).sql('g');
    const rows = await this.em.execute(`select g.* from tag g where ${visible.sql} order by g.name`, visible.bindings);
    return rows.map((row) => this.em.map(Tag, row));
  }

  /** A tag the viewer may see (see `list`); NOT_FOUND otherwise. */
  async get(tagId: string): Promise<Tag> {
    const id = idOf(tagId, 'Tag', 'id');
    const visible = tagRule(this.actor).sql('g');
    const [row] = await this.em.execute(`select g.* from tag g where g.id = ? and ${visible.sql}`, [id, ...visible.bindings]);
    if (!row) throw notFound('Tag');
    return this.em.map(Tag, row);
  }

  /** Staff manage tags. */
  private requireStaff(): void {
    if (!isStaff(this.actor)) throw denied(this.actor, 'Only staff manage tags.');
  }

  async create(name: string): Promise<Tag> {
    this.requireStaff();
    const [clean] = TagService.normalize([name], 'name');
    return this.em.transactional(async (em) => {
      if (await this.byName(em, clean)) throw badInput('A tag with this name exists (names ignore case).', 'name');
      const tag = em.create(Tag, { name: clean });
      await em.flush();
      return tag;
    });
  }

  async rename(tagId: string, name: string): Promise<Tag> {
    this.requireStaff();
    const id = idOf(tagId, 'Tag', 'tagId');
    const [clean] = TagService.normalize([name], 'name');
    return this.em.transactional(async (em) => {
      const tag = await em.findOne(Tag, { id });
      if (!tag) throw notFound('Tag');
      const clash = await this.byName(em, clean);
      if (clash && clash.id !== tag.id) throw badInput('Another tag has this name; merge them instead.', 'name');
      tag.name = clean;
      return tag;
    });
  }

  /** Moves every ticket and every agent's expertise from `source` to `target`, then deletes `source`. */
  async merge(sourceTagId: string, targetTagId: string): Promise<Tag> {
    this.requireStaff();
    const sourceId = idOf(sourceTagId, 'Tag', 'sourceTagId');
    const targetId = idOf(targetTagId, 'Tag', 'targetTagId');
    if (sourceId === targetId) throw badInput('A tag cannot be merged into itself.', 'targetTagId');
    return this.em.transactional(async (em) => {
      const [source, target] = await Promise.all([em.findOne(Tag, { id: sourceId }), em.findOne(Tag, { id: targetId })]);
      if (!source) throw badInput('sourceTagId names no tag.', 'sourceTagId');
      if (!target) throw badInput('targetTagId names no tag.', 'targetTagId');
      const moved = await em.execute<{ ticket_id: string }[]>('select ticket_id from ticket_tag where tag_id = ?', [sourceId]);
      for (const table of ['ticket_tag', 'agent_expertise']) {
        const owner = table === 'ticket_tag' ? 'ticket_id' : 'user_id';
        await em.execute(`insert into ${table} (${owner}, tag_id) select ${owner}, ? from ${table} where tag_id = ? on conflict do nothing`, [targetId, sourceId]);
      }
      await em.execute('delete from tag where id = ?', [sourceId]);
      // No timeline entry records a merge: the report roll-ups count the tickets it moved here.
      await countTicketsBesideTheFeed(em, moved.map((row) => row.ticket_id));
      return target;
    });
  }

  /** Deletes a tag no ticket and no agent uses. */
  async delete(tagId: string): Promise<string> {
    this.requireStaff();
    const id = idOf(tagId, 'Tag', 'tagId');
    return this.em.transactional(async (em) => {
      const tag = await em.findOne(Tag, { id });
      if (!tag) throw notFound('Tag');
      const [{ used }] = await em.execute<{ used: string }[]>(
        'select (select count(*) from ticket_tag where tag_id = ?) + (select count(*) from agent_expertise where tag_id = ?) as used',
        [id, id],
      );
      if (Number(used) > 0) throw badInput('The tag is in use; merge it into another instead.', 'tagId');
      await em.execute('delete from tag where id = ?', [id]);
      return tagId;
    });
  }

  private async byName(em: EntityManager, name: string): Promise<Tag | null> {
    const [row] = await em.execute('select * from tag where lower(name) = lower(?)', [name]);
    return row ? em.map(Tag, row) : null;
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
