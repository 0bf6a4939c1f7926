import { Migration } from '@mikro-orm/migrations';

/**
 * Timeline positions in commit order without a lock that writers queue on.
 *
 * A position is the writing transaction's id (64-bit, `pg_current_xact_id()`) times 2^24, plus the
 * entry's rank within that transaction. `timeline_watermark()` is the position below which nothing can
 * still appear: the lowest id among this database's client transactions still running below the snapshot's xmax
 * (or, when none is, xmax: one past the last completed id), times 2^24. Transaction ids are handed out in order, so an entry below the
 * watermark is either committed and visible or rolled back for good; a reader that reads only below it,
 * in a statement that starts after the watermark was taken, never passes an entry that commits later.
 * Only transactions of this database count: a long transaction elsewhere on the server holds nothing
 * back. Earlier positions came from a sequence and are all far below the first new one.
 *
 * `feed_checkpoint` is where each named consumer of the timeline keeps its position and its lease.
 */
export class Migration20261206060000_feed_positions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create function timeline_next_position() returns bigint language plpgsql volatile as $$
      declare
        rank bigint := coalesce(nullif(current_setting('timeline.entries', true), ''), '0')::bigint;
      begin
        if rank >= 16777216 then
          raise exception 'a transaction may append at most 16777216 timeline entries';
        end if;
        perform set_config('timeline.entries', (rank + 1)::text, true);
        return pg_current_xact_id()::text::bigint * 16777216 + rank;
      end $$;`);
    this.addSql(`create function timeline_watermark() returns bigint language plpgsql volatile as $$
      declare
        next_id bigint := pg_snapshot_xmax(pg_current_snapshot())::text::bigint;
        oldest bigint;
      begin
        -- Read after the snapshot above: a transaction with an id below next_id either shows here or has ended.
        -- Only client backends write timeline entries: an autovacuum's ANALYZE, which holds an id while it
        -- runs, holds nobody back.
        -- backend_xid is 32 bits: widened to 64 by its distance below next_id. Ids at or above next_id (begun
        -- after the snapshot, or running past the last completed one) are at most 2^31 ahead and left out.
        select min(next_id - behind) into oldest
          from (select ((next_id & 4294967295) - backend_xid::text::bigint + 4294967296) % 4294967296 as behind
                  from pg_stat_activity
                 where datid = (select oid from pg_database where datname = current_database()) and backend_xid is not null
                   and backend_type = 'client backend') running
         where behind between 1 and 2147483647;
        return least(next_id, coalesce(oldest, next_id)) * 16777216;
      end $$;`);
    this.addSql(`do $$ begin
        if (select max(position) from ticket_event) >= pg_current_xact_id()::text::bigint * 16777216 then
          raise exception 'timeline positions already reach the transaction-id range';
        end if;
      end $$;`);
    this.addSql(`alter table ticket_event alter column position set default timeline_next_position();`);
    this.addSql(`drop sequence timeline_position_seq;`);
    this.addSql(`create table feed_checkpoint (
        consumer text primary key,
        position bigint not null default 0,
        lease_owner text,
        lease_until timestamptz,
        failures integer not null default 0,
        retry_at timestamptz,
        last_error text,
        updated_at timestamptz not null default now()
      );`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table feed_checkpoint;`);
    this.addSql(`create sequence timeline_position_seq;`);
    this.addSql(`select setval('timeline_position_seq', coalesce((select max(position) from ticket_event), 0) + 1);`);
    this.addSql(`alter table ticket_event alter column position set default nextval('timeline_position_seq');`);
    this.addSql(`alter sequence timeline_position_seq owned by ticket_event.position;`);
    this.addSql(`drop function timeline_watermark();`);
    this.addSql(`drop function timeline_next_position();`);
  }
}
