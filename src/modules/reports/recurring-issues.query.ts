import type { EntityManager } from '@mikro-orm/postgresql';
import { toGlobalId } from '../../shared/global-id';
import { embedded, pgArray } from '../../shared/sql';
import type { RecurringGroup, RecurringIssuesReport, TitleCluster } from './report.payloads';
import { filteredTickets, inPeriod, type ReportWindow } from './report-window';

const TOP = 20;
/** Distinct titles considered for clustering: the most frequent ones (a long tail of one-offs cannot recur). */
const TITLES = 300;
/** pg_trgm similarity from which two titles are the same issue. */
const SIMILAR = 0.45;
const EXAMPLES = 3;

/** Example tickets per key, newest first: the report's resolver loads them with the viewer's access. */
type Examples = Map<string, { id: string; createdAt: number }[]>;

/**
 * The newest tickets per key. Over one business's or one agent's tickets, by ranking those (few)
 * tickets; otherwise by one short index walk per key (LATERAL … LIMIT), never by ranking every ticket
 * of the period. `key` is the SQL of a ticket `t`'s key, of SQL type `type` (compared uncast, so its
 * index serves); `join` adds the ticket's tags as `tt`.
 */
async function examplesBy(em: EntityManager, window: ReportWindow, keys: string[], key: string, type: 'uuid' | 'text', join?: 'tags'): Promise<Examples> {
  if (keys.length === 0) return new Map();
  const knex = em.getKnex();
  const keyList = embedded(knex.raw(`?::${type}[]`, [pgArray(keys)]));
  const tickets = inPeriod(filteredTickets(em, window), 't.created_at', window);
  if (join) tickets.join('ticket_tag as tt', 'tt.ticket_id', 't.id');
  const scoped = Boolean(window.filter?.businessId || window.filter?.assigneeId);
  const query = scoped
    ? knex.raw(
        `select key::text, id, created_at from (${embedded(
          tickets
            .select(knex.raw(`${key} as key, t.id, t.created_at, row_number() over (partition by ${key} order by t.created_at desc, t.id desc) as n`))
            .whereRaw(`${key} = any(${keyList})`),
        )}) x where n <= ${EXAMPLES}`,
      )
    : knex.raw(
        `select k.key::text, x.id, x.created_at from unnest(${keyList}) as k(key) cross join lateral (${embedded(
          tickets
            .select('t.id', 't.created_at')
            .whereRaw(`${key} = k.key::${type}`)
            .orderBy([{ column: 't.created_at', order: 'desc' }, { column: 't.id', order: 'desc' }])
            .limit(EXAMPLES),
        )}) x`,
      );
  const rows = await em.execute<{ key: string; id: string; created_at: string }[]>(query);
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

async function repeated(em: EntityManager, window: ReportWindow, minOccurrences: number, by: 'tag' | 'business'): Promise<Omit<RecurringGroup, 'examples'>[]> {
  const q = inPeriod(filteredTickets(em, window), 't.created_at', window);
  const [column, table] = by === 'tag' ? ['tt.tag_id', 'tag'] : ['t.business_id', 'business'];
  if (by === 'tag') q.join('ticket_tag as tt', 'tt.ticket_id', 't.id');
  else q.whereNotNull('t.business_id');
  const rows = await em.execute<{ id: string; name: string; count: string }[]>(
    em
      .getKnex()
      .select('g.id', 'g.name', 'c.count')
      .from(q.select(em.getKnex().raw(`${column} as id, count(*) as count`)).groupBy(column).havingRaw('count(*) >= ?', [minOccurrences]).orderBy('count', 'desc').limit(TOP).as('c'))
      .join(`${table} as g`, 'g.id', 'c.id')
      .orderBy([{ column: 'c.count', order: 'desc' }, 'g.name']),
  );
  return rows.map((row) => ({ key: row.id, label: row.name, count: Number(row.count) }));
}

/** Clusters of alike titles among the most frequent ones: pairs above the similarity threshold, joined transitively. */
async function titleClusters(em: EntityManager, window: ReportWindow, minOccurrences: number): Promise<(Omit<TitleCluster, 'examples'> & { titles: string[] })[]> {
  // Count each spelling, then each title case-blind, shown as its most frequent spelling.
  const spellings = inPeriod(filteredTickets(em, window), 't.created_at', window)
    .select(em.getKnex().raw('lower(t.title) as title, t.title as spelling, count(*) as n'))
    .groupByRaw('lower(t.title), t.title');
  const titles = em
    .getKnex()
    .select(em.getKnex().raw('title, (array_agg(spelling order by n desc, spelling))[1] as display, sum(n) as n'))
    .from(spellings.as('s'))
    .groupBy('title')
    .orderBy([{ column: 'n', order: 'desc' }, 'title'])
    .limit(TITLES);
  const counted = await em.execute<{ title: string; display: string; n: string }[]>(titles);
  const display = new Map(counted.map((c) => [c.title, c.display]));
  const pairs = await em.execute<{ a: string; b: string }[]>(
    em.getKnex().raw(
      `select a.t as a, b.t as b from unnest(?::text[]) a(t) join unnest(?::text[]) b(t) on a.t < b.t and similarity(a.t, b.t) >= ?`,
      [pgArray(counted.map((c) => c.title)), pgArray(counted.map((c) => c.title)), SIMILAR],
    ),
  );
  const parent = new Map(counted.map((c) => [c.title, c.title]));
  const root = (title: string): string => (parent.get(title) === title ? title : root(parent.get(title)!));
  for (const { a, b } of pairs) parent.set(root(a), root(b));
  const clusters = new Map<string, { title: string; n: number }[]>();
  for (const c of counted) clusters.set(root(c.title), [...(clusters.get(root(c.title)) ?? []), { title: c.title, n: Number(c.n) }]);
  return [...clusters.values()]
    .map((members) => members.sort((x, y) => y.n - x.n || x.title.localeCompare(y.title)))
    .map((members) => ({
      title: display.get(members[0].title)!,
      count: members.reduce((sum, m) => sum + m.n, 0),
      variants: members.slice(0, 10).map((m) => display.get(m.title)!),
      titles: members.map((m) => m.title),
    }))
    .filter((cluster) => cluster.count >= minOccurrences)
    .sort((x, y) => y.count - x.count || x.title.localeCompare(y.title))
    .slice(0, TOP);
}

/** Tags, businesses and alike titles that keep coming back among the tickets created in the period. */
export async function recurringIssues(em: EntityManager, window: ReportWindow, minOccurrences: number) {
  const [tags, businesses, clusters] = [
    await repeated(em, window, minOccurrences, 'tag'),
    await repeated(em, window, minOccurrences, 'business'),
    await titleClusters(em, window, minOccurrences),
  ];
  const tagExamples = await examplesBy(em, window, tags.map((g) => g.key), 'tt.tag_id', 'uuid', 'tags');
  const businessExamples = await examplesBy(em, window, businesses.map((g) => g.key), 't.business_id', 'uuid');
  const titleExamples = await examplesBy(em, window, clusters.flatMap((cluster) => cluster.titles), 'lower(t.title)', 'text');

  return {
    tags: tags.map((g) => ({ ...g, key: toGlobalId('Tag', g.key), exampleIds: newest([tagExamples.get(g.key) ?? []]) })),
    businesses: businesses.map((g) => ({ ...g, key: toGlobalId('Business', g.key), exampleIds: newest([businessExamples.get(g.key) ?? []]) })),
    titleClusters: clusters.map(({ titles, ...cluster }) => ({ ...cluster, exampleIds: newest(titles.map((title) => titleExamples.get(title) ?? [])) })),
  } satisfies Record<keyof RecurringIssuesReport, unknown[]>;
}
