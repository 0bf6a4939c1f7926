import { Migration } from '@mikro-orm/migrations';
import { TIMELINE_LOCK } from '../locks';
import { DURATION_BUCKETS, DURATION_BUCKETS_PER_UNIT, DURATION_MONTHS_OF_TICKET, fillRollUp } from '../../modules/reports/report-digests';

/** The ticket columns a ticket's share of report_duration_month follows from. */
const FIGURES = [
  'resolved_at',
  'resolution_seconds',
  'resolution_business_seconds',
  'resolution_breached_at',
  'first_responded_at',
  'first_response_seconds',
  'first_response_business_seconds',
  'first_response_breached_at',
  'satisfaction_score',
  'priority',
  'channel',
  'assignee_id',
];

/** The scopes this migration keeps (a later one adds one agent's by priority and by channel). */
export const FIRST_DURATION_SCOPES = ['*', 'P', 'C', 'A'];

/** Scope codes as an SQL list. */
export const scopeList = (scopes: string[]) => scopes.map((scope) => `'${scope}'`).join(', ');

/**
 * The change of a ticket's share of report_duration_month in `scopes`: what the old row gave and the
 * new row does not, out; the reverse, in. A month a scope gains tickets in starts from the running
 * totals of the month before.
 */
export const durationMoveFunction = (scopes: string[]) => `create or replace function report_duration_move(old_row ticket, new_row ticket) returns void language plpgsql as $$
      declare
        c record;
      begin
        perform pg_advisory_xact_lock(${TIMELINE_LOCK});
        for c in
          select measure, scope, scope_key, month, wall, business, met, score, sum(sign)::integer as sign from (
            select x.*, -1 as sign from (select (old_row).*) as t cross join lateral (${DURATION_MONTHS_OF_TICKET}) as x
            union all
            select x.*, 1 from (select (new_row).*) as t cross join lateral (${DURATION_MONTHS_OF_TICKET}) as x
          ) as shares
          where scope in (${scopeList(scopes)})
          group by measure, scope, scope_key, month, wall, business, met, score
          having sum(sign) <> 0
        loop
          -- A month's row is written once; its running totals only change after (the lookup reads both histograms).
          perform from report_duration_month r where (r.measure, r.scope, r.scope_key, r.month) = (c.measure, c.scope, c.scope_key, c.month);
          if not found then
            insert into report_duration_month (measure, scope, scope_key, month, tickets, wall_seconds, business_seconds, met, rated, score_sum, wall_counts, business_counts)
            select c.measure, c.scope, c.scope_key, c.month, coalesce(p.tickets, 0), coalesce(p.wall_seconds, 0), coalesce(p.business_seconds, 0),
                   coalesce(p.met, 0), coalesce(p.rated, 0), coalesce(p.score_sum, 0),
                   coalesce(p.wall_counts, array_fill(0, array[${DURATION_BUCKETS}])), coalesce(p.business_counts, array_fill(0, array[${DURATION_BUCKETS}]))
              from (select 1) as one
              left join lateral (
                select * from report_duration_month p
                 where (p.measure, p.scope, p.scope_key) = (c.measure, c.scope, c.scope_key) and p.month < c.month
                 order by p.month desc limit 1
              ) as p on true
            on conflict do nothing;
          end if;
          update report_duration_month r
             set tickets = r.tickets + c.sign,
                 wall_seconds = r.wall_seconds + c.sign * coalesce(c.wall, 0),
                 business_seconds = r.business_seconds + c.sign * coalesce(c.business, 0),
                 met = r.met + c.sign * coalesce(c.met, false)::integer,
                 rated = r.rated + c.sign * (c.score is not null)::integer,
                 score_sum = r.score_sum + c.sign * coalesce(c.score, 0),
                 wall_counts[coalesce(report_duration_bucket(c.wall), 0) + 1] =
                   r.wall_counts[coalesce(report_duration_bucket(c.wall), 0) + 1] + c.sign * (c.wall is not null)::integer,
                 business_counts[coalesce(report_duration_bucket(c.business), 0) + 1] =
                   r.business_counts[coalesce(report_duration_bucket(c.business), 0) + 1] + c.sign * (c.business is not null)::integer
           where (r.measure, r.scope, r.scope_key) = (c.measure, c.scope, c.scope_key) and r.month >= c.month;
        end loop;
      end $$`;

/**
 * Exact percentiles of resolution and first-response times over many tickets without sorting them all.
 *
 * `report_duration_month` holds, per measure (resolution, first response), scope (all tickets, each
 * priority, each channel, each assignee) and UTC month, running totals up to the end of that month:
 * tickets, summed durations, targets met, ratings, and a histogram of the durations in 2,000 buckets
 * 1 % wide on a log scale. A period's histogram is the difference of two rows (plus the partial months
 * at its edges, from the rows); it names the bucket that holds each percentile, and an index on each
 * duration column reads that bucket's few tickets, which give the exact value.
 *
 * Triggers keep it in the same transaction as the ticket's figures, under the timeline lock as the
 * other roll-ups; `npm run reports:rebuild -- --check` compares it with the tickets.
 */
export class Migration20261127070000_report_durations extends Migration {
  override async up(): Promise<void> {
    // Not STRICT, so that the planner inlines it (a call per row costs more than the arithmetic).
    this.addSql(`create function report_duration_bucket(seconds integer) returns integer language sql immutable parallel safe as $$
      select case when seconds is not null then least(floor(ln(1 + greatest(seconds, 0)::float8) * ${DURATION_BUCKETS_PER_UNIT}), ${DURATION_BUCKETS - 1})::integer end
    $$;`);
    // A histogram from (bucket, count) pairs, and the sum of histograms.
    this.addSql(`create function report_counts_of(buckets integer[], counts integer[]) returns integer[] language plpgsql immutable parallel safe as $$
      declare
        histogram integer[] := array_fill(0, array[${DURATION_BUCKETS}]);
      begin
        for i in 1 .. coalesce(array_length(buckets, 1), 0) loop
          histogram[buckets[i] + 1] := histogram[buckets[i] + 1] + counts[i];
        end loop;
        return histogram;
      end $$;`);
    this.addSql(`create function report_counts_add(a integer[], b integer[]) returns integer[] language sql immutable parallel safe as $$
      select array(select coalesce(x, 0) + coalesce(y, 0) from unnest(a, b) as u(x, y))
    $$;`);
    this.addSql(`create aggregate report_counts_sum(integer[]) (sfunc = report_counts_add, stype = integer[], initcond = '{}');`);
    this.addSql(`create table report_duration_month (
      measure char(1) not null check (measure in ('R', 'F')),
      scope char(1) not null check (scope in (${scopeList(FIRST_DURATION_SCOPES)})),
      scope_key text not null,
      month date not null,
      tickets integer not null,
      wall_seconds bigint not null,
      business_seconds bigint not null,
      met integer not null,
      rated integer not null,
      score_sum integer not null,
      wall_counts integer[] not null,
      business_counts integer[] not null,
      primary key (measure, scope, scope_key, month)
    );`);
    this.addSql(`${durationMoveFunction(FIRST_DURATION_SCOPES)};`);
    this.addSql(`create function ticket_report_duration() returns trigger language plpgsql as $$
      begin
        perform report_duration_move(old, new);
        return null;
      end $$;`);

    this.addSql(`${fillRollUp('report_duration_month', `scope in (${scopeList(FIRST_DURATION_SCOPES)})`)};`);

    // A ticket is created without figures (a bulk import may bring some): only such rows have a share to add or take out.
    const hasFigures = (row: string) => `${row}.resolved_at is not null or ${row}.first_responded_at is not null`;
    this.addSql(`create trigger ticket_report_duration_insert after insert on ticket for each row when (${hasFigures('new')}) execute function ticket_report_duration();`);
    this.addSql(`create trigger ticket_report_duration_delete after delete on ticket for each row when (${hasFigures('old')}) execute function ticket_report_duration();`);
    const columns = (row: string) => FIGURES.map((column) => `${row}.${column}`).join(', ');
    this.addSql(`create trigger ticket_report_duration_update after update of ${FIGURES.join(', ')} on ticket
      for each row when ((${columns('old')}) is distinct from (${columns('new')}))
      execute function ticket_report_duration();`);

    // The tickets of one duration bucket in the report's period, by assignee: one agent's few, or (one
    // assignee after the other) everyone's, with the dimensions the roll-up has.
    const indexes = [
      ['ticket_resolution_seconds_idx', 'resolution_seconds', 'resolved_at'],
      ['ticket_resolution_business_seconds_idx', 'resolution_business_seconds', 'resolved_at'],
      ['ticket_first_response_seconds_idx', 'first_response_seconds', 'first_responded_at'],
      ['ticket_first_response_business_seconds_idx', 'first_response_business_seconds', 'first_responded_at'],
    ];
    for (const [name, column, at] of indexes) {
      this.addSql(`create index ${name} on ticket (assignee_id, ${column}) include (${at}, priority, channel) where ${at} is not null;`);
    }
  }

  override async down(): Promise<void> {
    this.addSql(`drop index ticket_resolution_seconds_idx, ticket_resolution_business_seconds_idx, ticket_first_response_seconds_idx, ticket_first_response_business_seconds_idx;`);
    this.addSql(`drop trigger ticket_report_duration_insert on ticket; drop trigger ticket_report_duration_delete on ticket; drop trigger ticket_report_duration_update on ticket;`);
    this.addSql(`drop function ticket_report_duration(); drop function report_duration_move(ticket, ticket);`);
    this.addSql(`drop table report_duration_month;`);
    this.addSql(`drop aggregate report_counts_sum(integer[]); drop function report_counts_add(integer[], integer[]), report_counts_of(integer[], integer[]), report_duration_bucket(integer);`);
  }
}
