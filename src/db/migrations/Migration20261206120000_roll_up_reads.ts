import { Migration } from '@mikro-orm/migrations';

/** Duration buckets, as in Migration20261206070000_general_roll_ups: T_0 = 0, T_1 = 1, T_b+1 = T_b + max(1, T_b / 50). */
const THRESHOLDS = `(with recursive b(t) as (select 1::bigint union all select t + greatest(1, t / 50) from b where t < 2147483647) select array_agg(t order by t) from b)`;

/**
 * Which (measure, scope, dimension) the roll-ups keep from now on and did not before, as the roll-up
 * definitions (modules/reports/roll-ups.ts) said when this migration was written: each business's
 * tickets by tag, title and spelling (ticketVolume and recurringIssues of one business); resolutions
 * and ratings of all tickets and per agent by priority and channel (satisfaction); each agent's
 * durations by priority (resolutionTimes of one agent). `rated` is now bucketed by its score, so all of
 * its rows are written afresh.
 */
const NEW_KEPT: [string, string, string][] = [
  ...['tag', 'title', 'spelling'].map((dimension): [string, string, string] => ['created', 'business', dimension]),
  ...[
    ['all', 'none'],
    ['all', 'priority'],
    ['all', 'channel'],
    ['assignee', 'priority'],
    ['assignee', 'channel'],
  ].map(([scope, dimension]): [string, string, string] => ['resolved', scope, dimension]),
  ...[
    ['all', 'none'],
    ['all', 'priority'],
    ['all', 'channel'],
    ['assignee', 'none'],
    ['assignee', 'priority'],
    ['assignee', 'channel'],
    ['business', 'assignee'],
  ].map(([scope, dimension]): [string, string, string] => ['rated', scope, dimension]),
  ...['resolution_seconds', 'resolution_business_seconds', 'first_response_seconds', 'first_response_business_seconds'].map(
    (measure): [string, string, string] => [measure, 'assignee', 'priority'],
  ),
];

/** (measure, scope, dimension) triples as SQL row values. */
const triples = (rows: [string, string, string][]) => rows.map((triple) => `(${triple.map((part) => `'${part}'`).join(', ')})`).join(', ');

/**
 * Reports read fewer roll-up rows:
 *
 * - `roll_up_top_keys_idx`, `roll_up_all_top_keys_idx`: the all-time rows of a scope in order of their
 *   count, so that the most frequent keys (recurringIssues' 300 titles) are read first and the rest not
 *   at all;
 * - `roll_up_spelling_idx`: the spellings of a title case-blind, so that those of a few titles are found
 *   without reading every spelling;
 * - the groupings above, filled from the states the roll-ups' consumer has counted (`roll_up_ticket`),
 *   so that they agree with its checkpoint: the entries after it are counted from those states on.
 */
export class Migration20261206120000_roll_up_reads extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index roll_up_top_keys_idx on roll_up (measure, scope, dimension, scope_id, count desc) include (key) where month is null and scope <> 'all';`);
    // Scope 'all' has no scope id: its own index, so that the count follows the equalities directly (an "is null" does not order).
    this.addSql(`create index roll_up_all_top_keys_idx on roll_up (measure, dimension, count desc) include (key) where month is null and scope = 'all';`);
    this.addSql(`create index roll_up_spelling_idx on roll_up (measure, scope, lower(key), scope_id, month) include (key, bucket, count, sum) where dimension = 'spelling';`);
    this.addSql(`delete from roll_up where measure = 'rated';`);
    const ms = (field: string) => `(r.state->>'${field}')::bigint`;
    this.addSql(`insert into roll_up (measure, scope, scope_id, dimension, key, month, bucket, count, sum)
      with thresholds as (select ${THRESHOLDS} as t),
      facts(state, measure, at, bucket, n, total) as (
        select r.state, 'created', ${ms('createdAt')}, null::smallint, 1, 0::bigint from roll_up_ticket r
        union all select r.state, 'resolved', ${ms('resolvedAt')}, null, 1, 0 from roll_up_ticket r where r.state->>'resolvedAt' is not null
        union all select r.state, 'rated', ${ms('resolvedAt')}, ${ms('score')}::smallint, 1, ${ms('score')} from roll_up_ticket r
          where r.state->>'resolvedAt' is not null and r.state->>'score' is not null
        union all select r.state, d.measure, (r.state->>d.at)::bigint, width_bucket((r.state->>d.seconds)::bigint, h.t)::smallint, 1, (r.state->>d.seconds)::bigint
          from roll_up_ticket r, thresholds h,
               (values ('resolution_seconds', 'resolvedAt', 'resolutionSeconds'), ('resolution_business_seconds', 'resolvedAt', 'resolutionBusinessSeconds'),
                       ('first_response_seconds', 'firstRespondedAt', 'firstResponseSeconds'),
                       ('first_response_business_seconds', 'firstRespondedAt', 'firstResponseBusinessSeconds')) as d(measure, at, seconds)
         where r.state->>d.at is not null and r.state->>d.seconds is not null),
      kept(measure, scope, dimension) as (values ${triples(NEW_KEPT)})
      select f.measure, s.scope, s.id, d.dimension, d.key, date_trunc('month', (timestamptz 'epoch' + f.at * interval '1 millisecond') at time zone 'UTC')::date,
             f.bucket, sum(f.n), sum(f.total)
        from facts f
       cross join lateral (values ('all', null::uuid), ('business', (f.state->>'businessId')::uuid), ('assignee', (f.state->>'assigneeId')::uuid)) as s(scope, id)
       cross join lateral (
         select 'none' as dimension, null::text as key
         union all select 'priority', f.state->>'priority' union all select 'channel', f.state->>'channel'
         union all select 'title', f.state->>'titleLower' union all select 'spelling', f.state->>'title' union all select 'assignee', f.state->>'assigneeId'
         union all select 'tag', tag from jsonb_array_elements_text(f.state->'tagIds') as tag
         union all select 'tag', null where jsonb_array_length(f.state->'tagIds') = 0
       ) as d
        join kept k on (k.measure, k.scope, k.dimension) = (f.measure, s.scope, d.dimension)
       group by grouping sets ((1, 2, 3, 4, 5, 6, 7), (1, 2, 3, 4, 5, 7));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index roll_up_top_keys_idx;`);
    this.addSql(`drop index roll_up_all_top_keys_idx;`);
    this.addSql(`drop index roll_up_spelling_idx;`);
    // The rows of the new groupings go; ratings kept before (per agent, and per agent of one business) lose their score.
    this.addSql(`delete from roll_up where (measure, scope, dimension) in (${triples(NEW_KEPT.filter(([measure, scope, dimension]) => !(measure === 'rated' && ((scope === 'assignee' && dimension === 'none') || scope === 'business'))))});`);
    this.addSql(`insert into roll_up (measure, scope, scope_id, dimension, key, month, bucket, count, sum)
      select measure, scope, scope_id, dimension, key, month, null, sum(count), sum(sum) from roll_up where measure = 'rated' group by 1, 2, 3, 4, 5, 6;`);
    this.addSql(`delete from roll_up where measure = 'rated' and bucket is not null;`);
  }
}
