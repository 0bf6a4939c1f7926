import type { Client } from 'pg';

const TABLES = ['app_user', 'business', 'contact', 'tag', 'ticket', 'ticket_tag', 'comment', 'ticket_event', 'satisfaction_rating'];

/** Prints what the database holds now: rows per table, the status mix, the share of SLA breaches. */
export async function printContents(client: Client): Promise<void> {
  const counts = await client.query<{ table: string; rows: string }>(
    TABLES.map((t) => `select '${t}' as table, count(*)::text as rows from ${t}`).join(' union all '),
  );
  const mix = await client.query<{ status: string; n: string }>('select status, count(*)::text as n from ticket group by 1 order by 2 desc');
  const late = await client.query<{ late: string; fr: string; res: string }>(
    `select round(100.0 * count(*) filter (where first_response_breached_at is not null or resolution_breached_at is not null) / count(*), 1)::text as late,
            round(100.0 * count(*) filter (where first_response_breached_at is not null) / count(*), 1)::text as fr,
            round(100.0 * count(*) filter (where resolution_breached_at is not null) / count(*), 1)::text as res from ticket`,
  );
  console.log('\nrows:');
  for (const row of counts.rows) console.log(`  ${row.table.padEnd(20)} ${Number(row.rows).toLocaleString('en').padStart(12)}`);
  console.log(`statuses: ${mix.rows.map((r) => `${r.status} ${Number(r.n).toLocaleString('en')}`).join(', ')}`);
  console.log(`SLA breached: ${late.rows[0].late}% of tickets (first response ${late.rows[0].fr}%, resolution ${late.rows[0].res}%)`);
}
