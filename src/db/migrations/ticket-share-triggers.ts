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
