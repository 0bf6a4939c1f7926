import { TIMELINE_LOCK } from '../locks';
import { fillRollUp, TICKET_KEY_ROLL_UPS } from '../../modules/reports/report-digests';

/**
 * The triggers of a roll-up whose rows follow from a ticket row alone, through its function
 * `<table>_add(t ticket, sign integer)`: a change takes the old row's share out and puts the new one's
 * in — on insert and delete, and on an update of `columns` when the `compared` expressions of the old
 * and new rows differ.
 */
export function ticketShareTriggers(table: string, columns: string[], compared: string[] = columns): string[] {
  const row = (alias: string) => compared.map((column) => `${alias}.${column}`).join(', ');
  return [
    `create function ticket_${table}() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') then perform ${table}_add(old, -1); end if;
        if tg_op in ('INSERT', 'UPDATE') then perform ${table}_add(new, 1); end if;
        return null;
      end $$;`,
    `create trigger ticket_${table}_change after insert or delete on ticket for each row execute function ticket_${table}();`,
    `create trigger ticket_${table}_update after update of ${columns.join(', ')} on ticket
      for each row when ((${row('old')}) is distinct from (${row('new')})) execute function ticket_${table}();`,
  ];
}

/** Drops what ticketShareTriggers and the roll-up's own function and table made. */
export function dropTicketShareRollUp(table: string): string {
  return `drop trigger ticket_${table}_change on ticket; drop trigger ticket_${table}_update on ticket;
    drop function ticket_${table}(); drop function ${table}_add(ticket, integer); drop table ${table};`;
}

const KEY_COLUMN_TYPES: Record<string, string> = {
  scope: "char(1) check (scope in ('B', 'A'))",
  scope_id: 'uuid',
  title_key: 'bigint',
  spelling_key: 'bigint',
  month: 'date',
  assignee_id: 'uuid',
  business_id: 'uuid',
  title: 'text',
  trigrams: 'text',
};

/** Generated columns by the column an update writes. */
const GENERATED_FROM: Record<string, string> = { title_key: 'title', spelling_key: 'title' };

/**
 * One of the TICKET_KEY_ROLL_UPS: its table (tickets `created` per key), its function
 * `<table>_add(t ticket, sign)` that puts a ticket's rows in or out under the timeline lock, its rows
 * filled from the tickets, and its triggers, on a change of a column its rows depend on.
 */
export function ticketKeyRollUp(table: string): string[] {
  const { dependsOn, keys, unique = keys, ofTicket } = TICKET_KEY_ROLL_UPS[table];
  const updated = [...new Set(dependsOn.map((column) => GENERATED_FROM[column] ?? column))];
  const columns = keys.map((key) => `${key} ${KEY_COLUMN_TYPES[key]} not null`).join(', ');
  return [
    `create table ${table} (${columns}, created integer not null default 0, primary key (${unique.join(', ')}) include (created));`,
    `create function ${table}_add(t ticket, sign integer) returns void language plpgsql as $$
      begin
        perform pg_advisory_xact_lock(${TIMELINE_LOCK});
        insert into ${table} as r (${keys.join(', ')}, created) select k.*, sign from (${ofTicket}) as k
        on conflict (${unique.join(', ')}) do update set created = r.created + excluded.created;
      end $$;`,
    `${fillRollUp(table)};`,
    ...ticketShareTriggers(table, updated, dependsOn),
  ];
}
