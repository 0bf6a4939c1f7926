import type { Knex } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/postgresql';
import { toGlobalId } from '../../shared/global-id';
import { pgArray } from '../../shared/sql';
import type { RecurringGroup, RecurringIssuesReport, TitleCluster } from './report.payloads';
import { EACH_TAG } from './report-groups';
import { filteredTickets, inPeriod, narrowsTickets, oneScope, type ReportWindow } from './report-window';
import { heldMonths, inWholeMonths, monthCoverOf, outsideWholeMonths } from './month-cover.query';
import { fewerMonthsOutside } from './roll-up-cover';
import { ReportDimension } from './report.inputs';
import { scopeGroupCounts } from './scope-month-counts.query';
import { tagCountsOfAllTickets } from './tag-counts.query';
import { similarPairs, trigramCodes } from './title-similarity';
import { amongKeys, topOfLargest } from './top-candidates';

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

/**
 * The businesses of all tickets, or of one agent's (`agentId`), created in the period, most frequent
 * first: whole months from report_scope_month's business months (report_agent_business_month), the
 * partial months at the edges from the rows, summed only for the businesses of the largest totals
 * (report_business_total, report_agent_business_total; see topOfLargest). Null where no month is whole.
 */
async function businessesOfRollUps(em: EntityManager, window: ReportWindow, agentId: string | null): Promise<{ id: string; count: number }[] | null> {
  const knex = em.getKnex();
  const { months, rows: edges } = await monthCoverOf(em, window, 't.created_at');
  if (!months) return null;
  const monthly = agentId
    ? knex('report_agent_business_month').where('assignee_id', agentId).select('business_id', 'created as n')
    : knex('report_scope_month').where('scope', 'B').select('scope_id as business_id', 'created as n');
  const column = agentId ? 'business_id' : 'scope_id';
  const top = (keys: Knex.Raw | null) => {
    const parts = [
      amongKeys(inWholeMonths(monthly.clone(), months), column, keys),
      ...edges.map(([from, to]) =>
        amongKeys(inPeriod(filteredTickets(em, window), 't.created_at', { from, to }).whereNotNull('t.business_id'), 't.business_id', keys).select('t.business_id', knex.raw('1 as n')),
      ),
    ];
    return knex
      .from(knex.unionAll(parts, true).as('x'))
      .select(knex.raw('x.business_id::text as key, sum(x.n) as n'))
      .groupBy('x.business_id')
      .havingRaw('sum(x.n) > 0')
      .orderBy([{ column: 'n', order: 'desc' }, { column: 'x.business_id' }])
      .limit(TOP);
  };
  const totals = agentId ? knex('report_agent_business_total').where('assignee_id', agentId) : knex('report_business_total');
  const largest = totals
    .where('created', '>', 0)
    .select('business_id as key', 'created')
    .orderBy([{ column: 'created', order: 'desc' }, { column: 'business_id' }]);
  return (await topOfLargest(em, largest, top, TOP)).map((row) => ({ id: row.key, count: Number(row.n) }));
}

/**
 * Tags or businesses of the tickets created in the period, from the roll-ups, or null where they do not
 * answer: tags of all tickets, or of one business or agent; businesses of all tickets or of one agent
 * as businessesOfRollUps gives them; one business's (itself, with its tickets of report_scope_month).
 */
async function rolledUpCounts(em: EntityManager, window: ReportWindow, by: 'tag' | 'business'): Promise<{ id: string; count: number }[] | null> {
  const scope = oneScope(window);
  if (by === 'business' && !narrowsTickets(window)) return businessesOfRollUps(em, window, null);
  if (by === 'business' && scope?.scope === 'A') return businessesOfRollUps(em, window, scope.id);
  if (by === 'business' && scope?.scope !== 'B') return null;
  const rows =
    by === 'tag' && !narrowsTickets(window)
      ? await tagCountsOfAllTickets(em, window)
      : await scopeGroupCounts(em, window, [by === 'tag' ? ReportDimension.TAG : ReportDimension.BUSINESS]);
  return rows && rows.filter((row) => row.g0 !== null).map((row) => ({ id: String(row.g0), count: Number(row.count) }));
}

/** Tags or businesses of the tickets created in the period with at least `minOccurrences`, most frequent first: from the roll-ups where they answer, otherwise from the tickets' rows. */
async function repeated(em: EntityManager, window: ReportWindow, minOccurrences: number, by: 'tag' | 'business'): Promise<Omit<RecurringGroup, 'examples'>[]> {
  const knex = em.getKnex();
  const counts = await rolledUpCounts(em, window, by);
  if (counts) {
    const top = counts
      .filter((c) => c.count >= minOccurrences)
      .sort((a, b) => b.count - a.count || a.id.localeCompare(b.id))
      .slice(0, TOP);
    return named(em, by, top);
  }
  // Counted from the rows, named in the same statement.
  const tickets = inPeriod(filteredTickets(em, window), 't.created_at', window);
  const column = by === 'tag' ? 'tt.tag_id' : 't.business_id';
  if (by === 'tag') tickets.joinRaw(EACH_TAG);
  const counted = tickets
    .whereNotNull(column)
    .select(knex.raw(`${column} as id, count(*) as count`))
    .groupBy(column)
    .havingRaw('count(*) >= ?', [minOccurrences])
    .orderBy([{ column: 'count', order: 'desc' }, { column }])
    .limit(TOP);
  const rows = await em.execute<{ id: string; name: string; count: string }[]>(knex.from(counted.as('c')).join(`${by} as n`, 'n.id', 'c.id').select('c.id', 'n.name', 'c.count'));
  return rows.map((row) => ({ key: row.id, label: row.name, count: Number(row.count) })).sort(mostFirst);
}

/**
 * One of the most frequent titles of the period (case-blind: `title_key`), its tickets, and its most
 * frequent spelling as written, with that spelling's trigrams (null where report_title_spelling lacks it).
 */
type FrequentTitle = { key: string; n: string; title: string | null; trigrams: string | null };

/**
 * Per title of `spelled` (rows of `title_key`, `spelling_key` and their tickets `n`): its tickets and
 * its most frequent spelling (counted among that title's tickets only; ties by spelling key) as
 * report_title_spelling writes it, the TITLES most frequent titles first.
 */
function perTitle(knex: Knex, spelled: Knex.QueryBuilder): Knex.QueryBuilder {
  const counted = knex
    .from(spelled.as('s'))
    .select(knex.raw('s.title_key, sum(s.n) as n, (array_agg(s.spelling_key order by s.n desc, s.spelling_key))[1] as spelling_key'))
    .groupBy('s.title_key')
    .havingRaw('sum(s.n) > 0')
    .orderBy([{ column: 'n', order: 'desc' }, { column: 's.title_key' }])
    .limit(TITLES);
  return knex
    .from(counted.as('p'))
    .leftJoin('report_title_spelling as w', 'w.spelling_key', 'p.spelling_key')
    .select(knex.raw('p.title_key::text as key, p.n, w.title, w.trigrams'))
    .orderBy([{ column: 'p.n', order: 'desc' }, { column: 'p.title_key' }]);
}

/** The TITLES most frequent titles of the period's tickets, from their rows in one pass. */
async function frequentTitlesOfRows(em: EntityManager, window: ReportWindow): Promise<FrequentTitle[]> {
  const spelled = inPeriod(filteredTickets(em, window), 't.created_at', window).select('t.title_key', 't.spelling_key').count({ n: '*' }).groupBy('t.title_key', 't.spelling_key');
  return em.execute<FrequentTitle[]>(perTitle(em.getKnex(), spelled));
}

/**
 * The same from the roll-ups, of all tickets or of one business's or agent's (`scope`): whole UTC
 * months from report_title_month (report_scope_title_month), the partial months at the period's
 * edges from the rows, summed only for the titles of the largest totals of all time
 * (report_title_total, report_scope_title_total; see topOfLargest). A scope's whole months, when
 * fewer of its months lie outside them, as its spelling totals less those months
 * (report_scope_spelling_total; see fewerMonthsOutside).
 */
async function frequentTitlesOfRollUps(em: EntityManager, window: ReportWindow, scope: { scope: 'B' | 'A'; id: string } | null): Promise<FrequentTitle[]> {
  const knex = em.getKnex();
  const { months, rows: edges } = await monthCoverOf(em, window, 't.created_at');
  if (!months) return frequentTitlesOfRows(em, window);
  const ofScope = (table: string) => (scope ? knex(`report_scope_${table}`).where({ scope: scope.scope, scope_id: scope.id }) : knex(`report_${table}`));
  const held = scope && (await heldMonths(em, ofScope('title_month')));
  const byComplement = !!held && fewerMonthsOutside(months, held);
  // Tickets per title and spelling in the period, of the titles `keys` (SQL of a set of title keys; all when null).
  const spelled = (keys: Knex.Raw | null) => {
    const counted = (q: Knex.QueryBuilder, n: string) => amongKeys(q, 'title_key', keys).select('title_key', 'spelling_key', knex.raw(`${n} as n`));
    const parts = [
      ...(byComplement
        ? [counted(ofScope('spelling_total'), 'created'), ...outsideWholeMonths(ofScope('title_month'), months).map((q) => counted(q, '-created'))]
        : [counted(inWholeMonths(ofScope('title_month'), months), 'created')]),
      ...edges.map(([from, to]) => amongKeys(inPeriod(filteredTickets(em, window), 't.created_at', { from, to }), 't.title_key', keys).select('t.title_key', 't.spelling_key', knex.raw('1 as n'))),
    ];
    return knex.from(knex.unionAll(parts, true).as('x')).select('x.title_key', 'x.spelling_key', knex.raw('sum(x.n) as n')).groupBy('x.title_key', 'x.spelling_key');
  };
  const largest = ofScope('title_total')
    .where('created', '>', 0)
    .select('title_key as key', 'created')
    .orderBy([{ column: 'created', order: 'desc' }, { column: 'title_key' }]);
  return (await topOfLargest(em, largest, (keys) => perTitle(knex, spelled(keys)), TITLES)) as FrequentTitle[];
}

/**
 * Clusters of alike titles among the most frequent ones: pairs above the similarity threshold, joined
 * transitively. Titles are counted case-blind by their hash (`title_key`), each shown as its most
 * frequent spelling (`spelling_key`), so the count reads an index, not the titles.
 */
async function titleClusters(em: EntityManager, window: ReportWindow, minOccurrences: number): Promise<(Omit<TitleCluster, 'examples'> & { keys: string[] })[]> {
  const scope = oneScope(window);
  const top = narrowsTickets(window) && !scope ? await frequentTitlesOfRows(em, window) : await frequentTitlesOfRollUps(em, window, scope);
  // Every spelling of a ticket has its row, unless the roll-up drifted from the tickets.
  if (top.some((t) => t.title === null || t.trigrams === null)) throw new Error('report_title_spelling differs from the tickets: run npm run reports:rebuild.');
  const titles = top.map((t) => ({ title: t.title!, trigrams: t.trigrams === '' ? [] : t.trigrams!.split('|') }));
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
