import { Migration } from '@mikro-orm/migrations';

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
      select case when seconds is not null then least(floor(ln(1 + greatest(seconds, 0)::float8) * 100), 1999)::integer end
    $$;`);

    // A histogram from (bucket, count) pairs, and the sum of histograms.
    this.addSql(`create function report_counts_of(buckets integer[], counts integer[]) returns integer[] language plpgsql immutable parallel safe as $$
      declare
        histogram integer[] := array_fill(0, array[2000]);
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
      scope char(1) not null check (scope in ('*', 'P', 'C', 'A')),
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
    this.addSql(`create or replace function report_duration_move(old_row ticket, new_row ticket) returns void language plpgsql as $$
      declare
        c record;
      begin
        perform pg_advisory_xact_lock(7411001);
        for c in
          select measure, scope, scope_key, month, wall, business, met, score, sum(sign)::integer as sign from (
            select x.*, -1 as sign from (select (old_row).*) as t cross join lateral (
  select m.measure, s.scope, s.scope_key, date_trunc('month', m.at at time zone 'UTC')::date as month, m.wall, m.business, m.met, m.score
    from (values ('R', t.resolved_at, t.resolution_seconds, t.resolution_business_seconds, t.resolution_breached_at is null, t.satisfaction_score),
                 ('F', t.first_responded_at, t.first_response_seconds, t.first_response_business_seconds, null::boolean, null::smallint))
         as m(measure, at, wall, business, met, score)
   cross join (values ('*', ''), ('P', t.priority::text), ('C', t.channel::text), ('A', coalesce(t.assignee_id::text, '')),
                      ('AP', t.assignee_id::text || ' ' || t.priority::text), ('AC', t.assignee_id::text || ' ' || t.channel::text)) as s(scope, scope_key)
   where m.at is not null and s.scope_key is not null) as x
            union all
            select x.*, 1 from (select (new_row).*) as t cross join lateral (
  select m.measure, s.scope, s.scope_key, date_trunc('month', m.at at time zone 'UTC')::date as month, m.wall, m.business, m.met, m.score
    from (values ('R', t.resolved_at, t.resolution_seconds, t.resolution_business_seconds, t.resolution_breached_at is null, t.satisfaction_score),
                 ('F', t.first_responded_at, t.first_response_seconds, t.first_response_business_seconds, null::boolean, null::smallint))
         as m(measure, at, wall, business, met, score)
   cross join (values ('*', ''), ('P', t.priority::text), ('C', t.channel::text), ('A', coalesce(t.assignee_id::text, '')),
                      ('AP', t.assignee_id::text || ' ' || t.priority::text), ('AC', t.assignee_id::text || ' ' || t.channel::text)) as s(scope, scope_key)
   where m.at is not null and s.scope_key is not null) as x
          ) as shares
          where scope in ('*', 'P', 'C', 'A')
          group by measure, scope, scope_key, month, wall, business, met, score
          having sum(sign) <> 0
        loop
          -- A month's row is written once; its running totals only change after (the lookup reads both histograms).
          perform from report_duration_month r where (r.measure, r.scope, r.scope_key, r.month) = (c.measure, c.scope, c.scope_key, c.month);
          if not found then
            insert into report_duration_month (measure, scope, scope_key, month, tickets, wall_seconds, business_seconds, met, rated, score_sum, wall_counts, business_counts)
            select c.measure, c.scope, c.scope_key, c.month, coalesce(p.tickets, 0), coalesce(p.wall_seconds, 0), coalesce(p.business_seconds, 0),
                   coalesce(p.met, 0), coalesce(p.rated, 0), coalesce(p.score_sum, 0),
                   coalesce(p.wall_counts, array_fill(0, array[2000])), coalesce(p.business_counts, array_fill(0, array[2000]))
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
      end $$;`);
    this.addSql(`create function ticket_report_duration() returns trigger language plpgsql as $$
      begin
        perform report_duration_move(old, new);
        return null;
      end $$;`);
    this.addSql(`insert into report_duration_month (measure, scope, scope_key, month, tickets, wall_seconds, business_seconds, met, rated, score_sum, wall_counts, business_counts) select * from (
  with c as (select x.* from ticket t cross join lateral (
  select m.measure, s.scope, s.scope_key, date_trunc('month', m.at at time zone 'UTC')::date as month, m.wall, m.business, m.met, m.score
    from (values ('R', t.resolved_at, t.resolution_seconds, t.resolution_business_seconds, t.resolution_breached_at is null, t.satisfaction_score),
                 ('F', t.first_responded_at, t.first_response_seconds, t.first_response_business_seconds, null::boolean, null::smallint))
         as m(measure, at, wall, business, met, score)
   cross join (values ('*', ''), ('P', t.priority::text), ('C', t.channel::text), ('A', coalesce(t.assignee_id::text, '')),
                      ('AP', t.assignee_id::text || ' ' || t.priority::text), ('AC', t.assignee_id::text || ' ' || t.channel::text)) as s(scope, scope_key)
   where m.at is not null and s.scope_key is not null) as x),
  buckets as (
    select measure, scope, scope_key, month, report_duration_bucket(wall) as bucket, count(*)::integer as wall, 0 as business from c where wall is not null group by 1, 2, 3, 4, 5
    union all
    select measure, scope, scope_key, month, report_duration_bucket(business), 0, count(*)::integer from c where business is not null group by 1, 2, 3, 4, 5),
  monthly as (
    select m.*, h.wall_counts, h.business_counts from (
      select measure, scope, scope_key, month, count(*) as tickets, coalesce(sum(wall), 0) as wall_seconds, coalesce(sum(business), 0) as business_seconds,
             count(*) filter (where met) as met, count(score) as rated, coalesce(sum(score), 0) as score_sum
        from c group by 1, 2, 3, 4) m
    join (
      select measure, scope, scope_key, month, report_counts_of(array_agg(bucket), array_agg(wall)) as wall_counts,
             report_counts_of(array_agg(bucket), array_agg(business)) as business_counts
        from buckets group by 1, 2, 3, 4) h using (measure, scope, scope_key, month)),
  keyed as (
    select k.measure, k.scope, k.scope_key, k.month, m.tickets, m.wall_seconds, m.business_seconds, m.met, m.rated, m.score_sum, m.wall_counts, m.business_counts
      from (select measure, scope, scope_key, month from monthly union select measure, scope, scope_key, month from report_duration_month) k
      left join monthly m using (measure, scope, scope_key, month))
  select measure, scope, scope_key, month,
         (coalesce(sum(tickets) over w, 0))::integer, (coalesce(sum(wall_seconds) over w, 0))::bigint, (coalesce(sum(business_seconds) over w, 0))::bigint,
         (coalesce(sum(met) over w, 0))::integer, (coalesce(sum(rated) over w, 0))::integer, (coalesce(sum(score_sum) over w, 0))::integer,
         report_counts_add(array_fill(0, array[2000]), report_counts_sum(wall_counts) over w), report_counts_add(array_fill(0, array[2000]), report_counts_sum(business_counts) over w)
    from keyed
  window w as (partition by measure, scope, scope_key order by month)) as d(measure, scope, scope_key, month, tickets, wall_seconds, business_seconds, met, rated, score_sum, wall_counts, business_counts) where scope in ('*', 'P', 'C', 'A');`);
    this.addSql(`create trigger ticket_report_duration_insert after insert on ticket for each row when (new.resolved_at is not null or new.first_responded_at is not null) execute function ticket_report_duration();`);
    this.addSql(`create trigger ticket_report_duration_delete after delete on ticket for each row when (old.resolved_at is not null or old.first_responded_at is not null) execute function ticket_report_duration();`);
    this.addSql(`create trigger ticket_report_duration_update after update of resolved_at, resolution_seconds, resolution_business_seconds, resolution_breached_at, first_responded_at, first_response_seconds, first_response_business_seconds, first_response_breached_at, satisfaction_score, priority, channel, assignee_id on ticket
      for each row when ((old.resolved_at, old.resolution_seconds, old.resolution_business_seconds, old.resolution_breached_at, old.first_responded_at, old.first_response_seconds, old.first_response_business_seconds, old.first_response_breached_at, old.satisfaction_score, old.priority, old.channel, old.assignee_id) is distinct from (new.resolved_at, new.resolution_seconds, new.resolution_business_seconds, new.resolution_breached_at, new.first_responded_at, new.first_response_seconds, new.first_response_business_seconds, new.first_response_breached_at, new.satisfaction_score, new.priority, new.channel, new.assignee_id))
      execute function ticket_report_duration();`);
    this.addSql(`create index ticket_resolution_seconds_idx on ticket (assignee_id, resolution_seconds) include (resolved_at, priority, channel) where resolved_at is not null;`);
    this.addSql(`create index ticket_resolution_business_seconds_idx on ticket (assignee_id, resolution_business_seconds) include (resolved_at, priority, channel) where resolved_at is not null;`);
    this.addSql(`create index ticket_first_response_seconds_idx on ticket (assignee_id, first_response_seconds) include (first_responded_at, priority, channel) where first_responded_at is not null;`);
    this.addSql(`create index ticket_first_response_business_seconds_idx on ticket (assignee_id, first_response_business_seconds) include (first_responded_at, priority, channel) where first_responded_at is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index ticket_resolution_seconds_idx, ticket_resolution_business_seconds_idx, ticket_first_response_seconds_idx, ticket_first_response_business_seconds_idx;`);
    this.addSql(`drop trigger ticket_report_duration_insert on ticket; drop trigger ticket_report_duration_delete on ticket; drop trigger ticket_report_duration_update on ticket;`);
    this.addSql(`drop function ticket_report_duration(); drop function report_duration_move(ticket, ticket);`);
    this.addSql(`drop table report_duration_month;`);
    this.addSql(`drop aggregate report_counts_sum(integer[]); drop function report_counts_add(integer[], integer[]), report_counts_of(integer[], integer[]), report_duration_bucket(integer);`);
  }
}
