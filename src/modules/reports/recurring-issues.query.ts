import type { EntityManager } from '@mikro-orm/postgresql';
import { toGlobalId } from '../../shared/global-id';
import { embedded, pgArray } from '../../shared/sql';
import type { RecurringGroup, RecurringIssuesReport, TitleCluster } from './report.payloads';
import { EACH_TAG } from './report-groups';
import { filteredTickets, inPeriod, narrowsTickets, withinOneScope, type ReportWindow } from './report-window';
import { tagCountsOfAllTickets } from './tag-counts.query';
import { similarity, trigramCodes } from './title-similarity';

const TOP = 20;
/** Distinct titles considered for clustering: the most frequent ones (a long tail of one-offs cannot recur). */
const TITLES = 300;
/** pg_trgm similarity from which two titles are the same issue. */
const SIMILAR = 0.45;
const EXAMPLES = 3;

/** Example tickets per key, newest first: the report's resolver loads them with the viewer's access. */
type Examples = Map<string, { id: string; createdAt: number }[]>;

/**
 * The newest tickets per key, by one short index walk per key (LATERAL … LIMIT, newest first, which
 * stops soon for a key that recurs). `key` is the SQL of a ticket `t`'s key, of SQL type `type`
 * (compared uncast, so its index serves); `tags` takes the ticket once per tag as `tt`.
 */
async function examplesBy(
  em: EntityManager,
  window: ReportWindow,
  keys: string[],
  { key, type, tags = false }: { key: string; type: 'uuid' | 'bigint'; tags?: boolean },
): Promise<Examples> {
  if (keys.length === 0) return new Map();
  const knex = em.getKnex();
  const keyList = embedded(knex.raw(`?::${type}[]`, [pgArray(keys)]));
  const tickets = inPeriod(filteredTickets(em, window), 't.created_at', window);
  if (tags) tickets.joinRaw(EACH_TAG);
  const rows = await em.execute<{ key: string; id: string; created_at: string }[]>(
    knex.raw(
      `select k.key::text, x.id, x.created_at from unnest(${keyList}) as k(key) cross join lateral (${embedded(
        tickets
          .select('t.id', 't.created_at')
          .whereRaw(`${key} = k.key::${type}`)
          .orderBy([{ column: 't.created_at', order: 'desc' }, { column: 't.id', order: 'desc' }])
          .limit(EXAMPLES),
      )}) x`,
    ),
  );
  return examplesOf(rows);
}

function examplesOf(rows: { key: string; id: string; created_at: string | Date }[]): Examples {
  const examples: Examples = new Map();
  for (const row of rows) examples.set(row.key, [...(examples.get(row.key) ?? []), { id: row.id, createdAt: new Date(row.created_at).getTime() }]);
  return examples;
}

/** The newest EXAMPLES of several lists, as ids. */
const newest = (lists: { id: string; createdAt: number }[][]) =>
  lists
    .flat()
    .sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id))
    .slice(0, EXAMPLES)
    .map((example) => example.id);

type Counted = { key: string; n: number };

/** The TOP most frequent of `counts` with at least minOccurrences, with their names, most frequent first. */
async function named(em: EntityManager, counts: Counted[], minOccurrences: number, table: 'tag' | 'business'): Promise<Omit<RecurringGroup, 'examples'>[]> {
  const top = counts.filter((c) => c.n >= minOccurrences).sort((a, b) => b.n - a.n || a.key.localeCompare(b.key)).slice(0, TOP);
  const names = new Map((await em.execute<{ id: string; name: string }[]>(em.getKnex()(table).select('id', 'name').whereIn('id', top.map((c) => c.key)))).map((r) => [r.id, r.name]));
  return top.map((c) => ({ key: c.key, label: names.get(c.key)!, count: c.n })).sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/** Tags (of all tickets: from their day roll-up; filtered: from the tickets' rows) or businesses of the tickets created in the period, counted. */
async function repeated(em: EntityManager, window: ReportWindow, minOccurrences: number, by: 'tag' | 'business'): Promise<Counted[]> {
  const knex = em.getKnex();
  if (by === 'tag' && !narrowsTickets(window)) {
    return (await tagCountsOfAllTickets(em, window)).map((row) => ({ key: row.g0!, n: Number(row.count) }));
  }
  const tickets = inPeriod(filteredTickets(em, window), 't.created_at', window);
  const column = by === 'tag' ? 'tt.tag_id' : 't.business_id';
  if (by === 'tag') tickets.joinRaw(EACH_TAG);
  const rows = await em.execute<{ id: string; count: string }[]>(
    tickets.whereNotNull(column).select(knex.raw(`${column} as id, count(*) as count`)).groupBy(column).havingRaw('count(*) >= ?', [minOccurrences]).orderBy('count', 'desc').limit(TOP),
  );
  return rows.map((row) => ({ key: row.id, n: Number(row.count) }));
}

/** The TITLES most frequent titles (by title_key) of the tickets created in the period, with one ticket of each one's most frequent spelling. */
async function frequentTitles(em: EntityManager, window: ReportWindow): Promise<{ titles: Counted[]; spelledBy: Map<string, string> }> {
  const knex = em.getKnex();
  const tickets = () => inPeriod(filteredTickets(em, window), 't.created_at', window);
  const top = await em.execute<{ key: string; n: string }[]>(
    tickets()
      .select(knex.raw('t.title_key::text as key, count(*) as n'))
      .groupBy('t.title_key')
      .orderBy([{ column: 'n', order: 'desc' }, { column: 't.title_key' }])
      .limit(TITLES),
  );
  if (top.length === 0) return { titles: [], spelledBy: new Map() };
  // The most frequent spelling of each (counted among that title's tickets only), with one ticket so written.
  const spellings = await em.execute<{ key: string; ticket: string }[]>(
    knex
      .select(knex.raw('title_key::text as key, (array_agg(ticket order by n desc, spelling_key))[1] as ticket'))
      .from(
        tickets()
          .whereRaw('t.title_key = any(?::bigint[])', [pgArray(top.map((t) => t.key))])
          .select(knex.raw('t.title_key, t.spelling_key, count(*) as n, (array_agg(t.id))[1] as ticket'))
          .groupBy('t.title_key', 't.spelling_key')
          .as('s'),
      )
      .groupBy('title_key'),
  );
  return { titles: top.map((t) => ({ key: t.key, n: Number(t.n) })), spelledBy: new Map(spellings.map((row) => [row.key, row.ticket])) };
}

/**
 * Over one business's or one agent's tickets, everything recurringIssues counts in one pass over them
 * (held once, in memory): tags, businesses, the frequent titles with a ticket of each one's most
 * frequent spelling, and the newest tickets of each counted tag, business and title.
 */
async function scopeTally(em: EntityManager, window: ReportWindow, minOccurrences: number) {
  const scope = embedded(inPeriod(filteredTickets(em, window), 't.created_at', window).select('t.id', 't.created_at', 't.business_id', 't.tag_ids', 't.title_key', 't.spelling_key'));
  const newest = (kind: string, key: string, from: string) =>
    `select '${kind}', key::text, null, id, created_at from (
       select ${key} as key, s.id, s.created_at, row_number() over (partition by ${key} order by s.created_at desc, s.id desc) as r ${from}) x
     where r <= ${EXAMPLES}`;
  const rows = await em.execute<{ kind: string; key: string; n: number | null; id: string | null; created_at: Date | null }[]>(
    em.getKnex().raw(`with s as materialized (${scope}),
     tags as (select tag_id as key, count(*) as n from s cross join unnest(s.tag_ids) as tag_id group by 1 having count(*) >= ${minOccurrences} order by 2 desc, 1 limit ${TOP}),
     businesses as (select business_id as key, count(*) as n from s where business_id is not null group by 1 having count(*) >= ${minOccurrences} order by 2 desc, 1 limit ${TOP}),
     titles as (select title_key as key, count(*) as n from s group by 1 order by 2 desc, 1 limit ${TITLES}),
     spellings as (
       select distinct on (title_key) title_key as key, ticket from (
         select title_key, spelling_key, count(*) as n, (array_agg(id))[1] as ticket from s where title_key in (select key from titles) group by 1, 2
       ) w order by title_key, n desc, spelling_key)
     select 'tag' as kind, key::text, n, null::uuid as id, null::timestamptz as created_at from tags
     union all select 'business', key::text, n, null, null from businesses
     union all select 'title', t.key::text, t.n, w.ticket, null from titles t join spellings w using (key)
     union all ${newest('tag example', 'tag_id', 'from s cross join unnest(s.tag_ids) as tag_id where tag_id in (select key from tags)')}
     union all ${newest('business example', 's.business_id', 'from s where s.business_id in (select key from businesses)')}
     union all ${newest('title example', 's.title_key', 'from s where s.title_key in (select key from titles)')}`),
  );
  const of = (kind: string) => rows.filter((row) => row.kind === kind);
  const counted = (kind: string) => of(kind).map((row) => ({ key: row.key, n: Number(row.n) }));
  const examples = (kind: string) => examplesOf(of(kind).map((row) => ({ key: row.key, id: row.id!, created_at: row.created_at! })));
  return {
    tags: counted('tag'),
    businesses: counted('business'),
    titles: counted('title'),
    spelledBy: new Map(of('title').map((row) => [row.key, row.id!])),
    examples: { tags: examples('tag example'), businesses: examples('business example'), titles: examples('title example') },
  };
}

/**
 * Clusters of alike titles among the most frequent ones: pairs above the similarity threshold, joined
 * transitively. Titles are counted case-blind by their hash (`title_key`), each shown as its most
 * frequent spelling (`spelledBy`: one ticket so written), so the count reads an index, not the titles.
 */
async function titleClusters(
  em: EntityManager,
  { titles: top, spelledBy }: { titles: Counted[]; spelledBy: Map<string, string> },
  minOccurrences: number,
): Promise<(Omit<TitleCluster, 'examples'> & { keys: string[] })[]> {
  if (top.length === 0) return [];
  const knex = em.getKnex();
  const written = await em.execute<{ id: string; title: string; trigrams: string[] }[]>(
    knex('ticket').select('id', 'title', knex.raw('show_trgm(lower(title)) as trigrams')).whereIn('id', [...spelledBy.values()]),
  );
  const byTicket = new Map(written.map((w) => [w.id, w]));
  const titles = top.map((t) => byTicket.get(spelledBy.get(t.key)!)!);
  const codes = trigramCodes(titles.map((t) => t.trigrams));
  // Union-find over the pairs at or above the threshold.
  const parent = top.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : root(parent[i]));
  for (let i = 0; i < top.length; i += 1) {
    for (let j = i + 1; j < top.length; j += 1) {
      if (similarity(codes[i], codes[j]) >= SIMILAR) parent[root(i)] = root(j);
    }
  }
  const clusters = new Map<number, { key: string; title: string; n: number }[]>();
  for (const [i, t] of top.entries()) clusters.set(root(i), [...(clusters.get(root(i)) ?? []), { key: t.key, title: titles[i].title, n: t.n }]);
  return [...clusters.values()]
    .map((members) => members.sort((x, y) => y.n - x.n || x.title.localeCompare(y.title)))
    .map((members) => ({
      title: members[0].title,
      count: members.reduce((sum, m) => sum + m.n, 0),
      variants: members.slice(0, 10).map((m) => m.title),
      keys: members.map((m) => m.key),
    }))
    .filter((cluster) => cluster.count >= minOccurrences)
    .sort((x, y) => y.count - x.count || x.title.localeCompare(y.title))
    .slice(0, TOP);
}

/** Tags, businesses and alike titles that keep coming back among the tickets created in the period. */
export async function recurringIssues(em: EntityManager, window: ReportWindow, minOccurrences: number) {
  const tally = withinOneScope(window)
    ? await scopeTally(em, window, minOccurrences)
    : {
        tags: await repeated(em, window, minOccurrences, 'tag'),
        businesses: await repeated(em, window, minOccurrences, 'business'),
        ...(await frequentTitles(em, window)),
        examples: null,
      };
  const tags = await named(em, tally.tags, minOccurrences, 'tag');
  const businesses = await named(em, tally.businesses, minOccurrences, 'business');
  const clusters = await titleClusters(em, tally, minOccurrences);
  const examples = tally.examples ?? {
    tags: await examplesBy(em, window, tags.map((g) => g.key), { key: 'tt.tag_id', type: 'uuid', tags: true }),
    businesses: await examplesBy(em, window, businesses.map((g) => g.key), { key: 't.business_id', type: 'uuid' }),
    titles: await examplesBy(em, window, clusters.flatMap((cluster) => cluster.keys), { key: 't.title_key', type: 'bigint' }),
  };

  return {
    tags: tags.map((g) => ({ ...g, key: toGlobalId('Tag', g.key), exampleIds: newest([examples.tags.get(g.key) ?? []]) })),
    businesses: businesses.map((g) => ({ ...g, key: toGlobalId('Business', g.key), exampleIds: newest([examples.businesses.get(g.key) ?? []]) })),
    titleClusters: clusters.map(({ keys, ...cluster }) => ({ ...cluster, exampleIds: newest(keys.map((key) => examples.titles.get(key) ?? [])) })),
  } satisfies Record<keyof RecurringIssuesReport, unknown[]>;
}
