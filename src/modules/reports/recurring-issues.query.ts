import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { toGlobalId } from '../../shared/global-id';
import { pgArray } from '../../shared/sql';
import type { RecurringGroup, RecurringIssuesReport, TitleCluster } from './report.payloads';
import { EACH_TAG, groupBy } from './report-groups';
import { filteredTickets, inPeriod, type ReportWindow } from './report-window';
import { monthCoverOf } from './month-cover.query';
import { ReportDimension } from './report.inputs';
import { pendingRows, rolledUpRows, scopeOf, targetOf, type Target } from './roll-up.query';
import { keeps, type ShareRow } from './roll-ups';
import { similarPairs, trigramCodes } from './title-similarity';

const TOP = 20;
/** Distinct titles considered for clustering: the most frequent ones (a long tail of one-offs cannot recur). */
const TITLES = 300;
/** pg_trgm similarity from which two titles are the same issue. */
const SIMILAR = 0.45;
const EXAMPLES = 3;

/** Example tickets per key, newest first: the report's resolver loads them with the viewer's access. */
type Examples = Map<string, { id: string; createdAt: number }[]>;

/** What examples are wanted for: keys, and how to find a ticket `t`'s key (see examplesOf). */
interface ExampleKeys {
  keys: string[];
  /** The SQL of a ticket `t`'s key, of SQL type `type` (compared uncast, so its index serves). */
  key: string;
  type: 'uuid' | 'bigint';
  /** Take the ticket once per tag as `tt`. */
  tags?: boolean;
}

/**
 * The newest tickets per key of each list, in one statement: per key one short index walk (LATERAL …
 * LIMIT, newest first). A title's walk within one business or agent reads its index by title
 * (ticket_business_title_idx, ticket_assignee_title_idx), so a title rare among the scope's tickets
 * costs no more than a frequent one.
 */
async function examplesOf(em: EntityManager, window: ReportWindow, lists: ExampleKeys[]): Promise<Examples[]> {
  const knex = em.getKnex();
  const queries = lists.flatMap(({ keys, key, type, tags = false }, list) => {
    if (keys.length === 0) return [];
    const tickets = inPeriod(filteredTickets(em, window), 't.created_at', window);
    if (tags) tickets.joinRaw(EACH_TAG);
    // The lateral query builder is bound as a subquery (knex puts it in parentheses) with its own bindings.
    return knex.raw(`select ${list} as list, k.key::text, x.id, x.created_at from unnest(?::${type}[]) as k(key) cross join lateral ? x`, [
      pgArray(keys),
      tickets
        .select('t.id', 't.created_at')
        .whereRaw(`${key} = k.key::${type}`)
        .orderBy([{ column: 't.created_at', order: 'desc' }, { column: 't.id', order: 'desc' }])
        .limit(EXAMPLES),
    ]);
  });
  const found: Examples[] = lists.map(() => new Map());
  if (queries.length === 0) return found;
  const rows = await em.execute<{ list: number; key: string; id: string; created_at: string }[]>(
    knex.raw(queries.map(() => '(?)').join(' union all '), queries),
  );
  for (const row of rows) {
    const examples = found[row.list];
    examples.set(row.key, [...(examples.get(row.key) ?? []), { id: row.id, createdAt: new Date(row.created_at).getTime() }]);
  }
  return found;
}

/** The newest EXAMPLES of several lists, as ids. */
const newest = (lists: { id: string; createdAt: number }[][]) =>
  lists
    .flat()
    .sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id))
    .slice(0, EXAMPLES)
    .map((example) => example.id);

/** Tags or businesses as the report lists them: most frequent first, ties by name. */
const mostFirst = (a: { count: number; label: string }, b: { count: number; label: string }) => b.count - a.count || a.label.localeCompare(b.label);

/** The top `counts` of tags or businesses with their names. */
async function named(em: EntityManager, by: 'tag' | 'business', top: { id: string; count: number }[]): Promise<Omit<RecurringGroup, 'examples'>[]> {
  const names = new Map((await em.execute<{ id: string; name: string }[]>(em.getKnex()(by).select('id', 'name').whereIn('id', top.map((c) => c.id)))).map((r) => [r.id, r.name]));
  return top.map((c) => ({ key: c.id, label: names.get(c.id)!, count: c.count })).sort(mostFirst);
}

/** How tickets created in the period are counted per key (see createdPerKey). */
interface KeyCounting {
  /** The roll-up rows that count them, or null when the roll-ups keep none for this filter. */
  target: Target | null;
  /** The tickets' rows of a range, counted per key as `key` (text) and `n`. */
  ofRows(range: { from: Date; to: Date }): Knex.QueryBuilder;
  /** Selects `key` and `n` from the roll-up's rows (`rows`, see rolledUpRows), the key in their column `keyColumn`. */
  fromRollUp(rows: Knex.QueryBuilder, keyColumn: 'key' | 'scope_id'): Knex.QueryBuilder;
}

/**
 * Tickets created in the period per key (`key`, `n`), summed in PostgreSQL: the roll-up's months, the
 * changes not counted yet and the partial months at the edges, or all from the tickets' rows for a
 * filter the roll-ups do not keep. Only the sums leave the database (the busiest agent's tickets span
 * some 4,700 businesses and 10,000 titles). Keys that count nothing now may be among them (a roll-up
 * row that went back to zero stays). (Wrapped: a query builder is a thenable, which awaiting would run.)
 */
async function createdPerKey(em: EntityManager, window: ReportWindow, { target, ofRows, fromRollUp }: KeyCounting): Promise<{ query: Knex.QueryBuilder }> {
  if (!target) return { query: ofRows(window) };
  const knex = em.getKnex();
  const parts: Knex.QueryBuilder[] = [];
  const { months, rows: edges } = await monthCoverOf(em, window, 't.created_at');
  if (months) {
    // Within one agent, a business is the rows' key; over all tickets or within one business, their scope.
    const byScope = target.groups[0] === 'scope';
    parts.push(fromRollUp((await rolledUpRows(em, target, ['created'], months)).query, byScope ? 'scope_id' : 'key'));
    const keyOf = (row: ShareRow) => (byScope ? row.scopeId : row.key);
    // A ticket with no tag or business counts under no key: no list shows it.
    const pending = (await pendingRows(em, target, ['created'], months)).filter((row) => keyOf(row) !== null);
    if (pending.length > 0) {
      parts.push(knex.select('*').from(knex.raw('unnest(?::text[], ?::bigint[]) as p(key, n)', [pgArray(pending.map((row) => keyOf(row)!)), `{${pending.map((row) => row.count).join(',')}}`])));
    }
  }
  parts.push(...edges.map(([from, to]) => ofRows({ from, to })));
  // One part alone (the roll-up's rows, nothing pending, no partial month; or one month's rows) is one row per key already.
  if (parts.length === 1) return { query: parts[0] };
  return { query: knex.from(knex.unionAll(parts, true).as('x')).select('x.key', knex.raw('sum(x.n) as n')).groupBy('x.key') };
}

/** Tags or businesses of the tickets created in the period with at least `minOccurrences`, most frequent first (at most TOP). */
async function repeated(em: EntityManager, window: ReportWindow, minOccurrences: number, by: 'tag' | 'business'): Promise<Omit<RecurringGroup, 'examples'>[]> {
  const knex = em.getKnex();
  const dimension = by === 'tag' ? ReportDimension.TAG : ReportDimension.BUSINESS;
  const { query: counts } = await createdPerKey(em, window, {
    target: targetOf(window, [dimension], ['created']),
    ofRows: (range) => knex.from(groupBy(inPeriod(filteredTickets(em, window), 't.created_at', range), [dimension]).count({ n: '*' }).as('g')).select(knex.raw('g.g0::text as key'), 'g.n'),
    fromRollUp: (rows, keyColumn) => knex.from(rows.as('r')).select(knex.raw(`r.${keyColumn}::text as key`), 'r.count as n'),
  });
  const top = await em.execute<{ key: string; n: string }[]>(
    knex
      .from(counts.as('c'))
      .select('c.key', 'c.n')
      .whereNotNull('c.key')
      .where('c.n', '>=', Math.max(1, minOccurrences))
      .orderBy([{ column: 'c.n', order: 'desc' }, { column: 'c.key' }])
      .limit(TOP),
  );
  return named(em, by, top.map((row) => ({ id: row.key, count: Number(row.n) })));
}

/** One of the most frequent titles of the period (case-blind; `key`: its `title_key`), its tickets, its most frequent spelling and that spelling's trigrams. */
type FrequentTitle = { key: string; n: string; title: string; trigrams: string };

/**
 * Tickets created in the period per title case-blind (`title`) or as written (`spelling`). With
 * `lowers`, the roll-up's rows are read for the keys of those titles case-blind alone (the caller still
 * filters the rest).
 */
function titleCounts(em: EntityManager, window: ReportWindow, dimension: 'title' | 'spelling', lowers?: string[]): Promise<{ query: Knex.QueryBuilder }> {
  const knex = em.getKnex();
  const base = scopeOf(window);
  const column = dimension === 'title' ? 'lower(t.title)' : 't.title';
  return createdPerKey(em, window, {
    target: base && keeps('created', base.scope, dimension) ? { scope: base.scope, scopeId: base.id, dimension, groups: ['key'] } : null,
    ofRows: (range) => inPeriod(filteredTickets(em, window), 't.created_at', range).select(knex.raw(`${column}::text as key, count(*) as n`)).groupByRaw(column),
    fromRollUp: (rows) =>
      lowers
        ? // One walk of the spellings' index per title (roll_up_spelling_idx), rather than every spelling filtered: `offset 0`
          // keeps the planner from turning the walks into one join over all of them.
          knex
            .select('r.key', 'r.count as n')
            .from(knex.raw('unnest(?::text[]) as l(lower) cross join lateral (select * from ? as w offset 0) as r', [pgArray(lowers), rows.whereRaw('lower(key) = l.lower')]))
        : knex.from(rows.as('r')).select('r.key', 'r.count as n'),
  });
}

/**
 * The TITLES most frequent titles of the tickets created in the period, counted case-blind (ties by
 * `title_key`), each with its most frequent spelling as written (ties by the spelling's hash) and that
 * spelling's trigrams. The spellings are read for those titles only.
 */
async function frequentTitles(em: EntityManager, window: ReportWindow): Promise<FrequentTitle[]> {
  const knex = em.getKnex();
  // The most frequent by count alone, with ties (so that an index by count serves: roll_up_top_keys_idx), then ordered by key here.
  const candidates = await em.execute<{ lower: string; key: string; n: string }[]>(
    knex.raw(`select c.key as lower, hashtextextended(c.key, 0)::text as key, c.n from ? as c where c.n > 0 order by c.n desc fetch first ${TITLES} rows with ties`, [
      (await titleCounts(em, window, 'title')).query,
    ]),
  );
  const titles = candidates.sort((a, b) => Number(b.n) - Number(a.n) || (BigInt(a.key) < BigInt(b.key) ? -1 : 1)).slice(0, TITLES);
  if (titles.length === 0) return [];
  const spellings = await em.execute<{ lower: string; title: string; trigrams: string }[]>(
    knex
      .from((await titleCounts(em, window, 'spelling', titles.map((t) => t.lower))).query.as('c'))
      .whereRaw('lower(c.key) = any(?::text[])', [pgArray(titles.map((t) => t.lower))])
      .select(knex.raw(`distinct on (lower(c.key)) lower(c.key) as lower, c.key as title, array_to_string(show_trgm(lower(c.key)), '|') as trigrams`))
      .orderByRaw('lower(c.key), c.n desc, hashtextextended(c.key, 0)'),
  );
  const spelled = new Map(spellings.map((row) => [row.lower, row]));
  return titles.map((t) => ({ key: t.key, n: t.n, title: spelled.get(t.lower)!.title, trigrams: spelled.get(t.lower)!.trigrams }));
}

/**
 * Clusters of alike titles among the most frequent ones: pairs above the similarity threshold, joined
 * transitively. Titles are counted case-blind by their hash (`title_key`), each shown as its most
 * frequent spelling (`spelling_key`), so the count reads an index, not the titles.
 */
async function titleClusters(em: EntityManager, window: ReportWindow, minOccurrences: number): Promise<(Omit<TitleCluster, 'examples'> & { keys: string[] })[]> {
  const top = await frequentTitles(em, window);
  const titles = top.map((t) => ({ title: t.title, trigrams: t.trigrams === '' ? [] : t.trigrams.split('|') }));
  const codes = trigramCodes(titles.map((t) => t.trigrams));
  // Union-find over the pairs at or above the threshold.
  const parent = top.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i])));
  for (const [i, j] of similarPairs(codes, SIMILAR)) parent[root(i)] = root(j);
  const clusters = new Map<number, { key: string; title: string; n: number }[]>();
  for (const [i, t] of top.entries()) {
    if (!clusters.has(root(i))) clusters.set(root(i), []);
    clusters.get(root(i))!.push({ key: t.key, title: titles[i].title, n: Number(t.n) });
  }
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

/** Which lists of the report want their example tickets (an example costs a walk per key, and loading the ticket). */
export type WantedExamples = Record<keyof RecurringIssuesReport, boolean>;

/** Tags, businesses and alike titles that keep coming back among the tickets created in the period, with the examples `wanted`. */
export async function recurringIssues(em: EntityManager, window: ReportWindow, minOccurrences: number, wanted: WantedExamples) {
  const [tags, businesses, clusters] = [
    await repeated(em, window, minOccurrences, 'tag'),
    await repeated(em, window, minOccurrences, 'business'),
    await titleClusters(em, window, minOccurrences),
  ];
  const [tagExamples, businessExamples, titleExamples] = await examplesOf(em, window, [
    { keys: wanted.tags ? tags.map((g) => g.key) : [], key: 'tt.tag_id', type: 'uuid', tags: true },
    { keys: wanted.businesses ? businesses.map((g) => g.key) : [], key: 't.business_id', type: 'uuid' },
    { keys: wanted.titleClusters ? clusters.flatMap((cluster) => cluster.keys) : [], key: 't.title_key', type: 'bigint' },
  ]);

  return {
    tags: tags.map((g) => ({ ...g, key: toGlobalId('Tag', g.key), exampleIds: newest([tagExamples.get(g.key) ?? []]) })),
    businesses: businesses.map((g) => ({ ...g, key: toGlobalId('Business', g.key), exampleIds: newest([businessExamples.get(g.key) ?? []]) })),
    titleClusters: clusters.map(({ keys, ...cluster }) => ({ ...cluster, exampleIds: newest(keys.map((key) => titleExamples.get(key) ?? [])) })),
  } satisfies Record<keyof RecurringIssuesReport, unknown[]>;
}
