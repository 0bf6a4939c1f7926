import { Migration } from '@mikro-orm/migrations';

/**
 * One agent's resolution and first-response times by priority and by channel from report_duration_month:
 * two more scopes, 'AP' and 'AC', keyed '<assignee id> <priority or channel>' (DURATION_MONTHS_OF_TICKET).
 * The trigger function is replaced to keep them, and they are filled from the tickets' figures.
 */
export class Migration20261127100000_agent_duration_scopes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table report_duration_month alter column scope type text, drop constraint report_duration_month_scope_check,
      add constraint report_duration_month_scope_check check (scope in ('*', 'P', 'C', 'A', 'AP', 'AC'));`);
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
          where scope in ('*', 'P', 'C', 'A', 'AP', 'AC')
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
  window w as (partition by measure, scope, scope_key order by month)) as d(measure, scope, scope_key, month, tickets, wall_seconds, business_seconds, met, rated, score_sum, wall_counts, business_counts) where scope in ('AP', 'AC');`);
  }

  override async down(): Promise<void> {
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
    this.addSql(`delete from report_duration_month where scope in ('AP', 'AC');`);
    this.addSql(`alter table report_duration_month drop constraint report_duration_month_scope_check, alter column scope type char(1),
      add constraint report_duration_month_scope_check check (scope in ('*', 'P', 'C', 'A'));`);
  }
}
