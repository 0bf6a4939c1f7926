import { machine, record, runSql, startBenchServer, stats, time } from './bench-support';
import { hashPassword } from '../src/modules/users/auth/passwords';

/**
 * `npm run bench:triage`: triage at scale. Seeds BENCH_BUSINESSES businesses (default 100,000) with
 * realistic names and a contact for one in ten, opens unassigned tickets whose submitters give
 * near-miss company names (typos, swapped words) and emails (a contact's, a business domain, free
 * mail), then times `Ticket.businessMatches` and `businesses(search:)` over HTTP. Target: p95 < 50 ms.
 */
const BUSINESSES = Number(process.env.BENCH_BUSINESSES ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);

/** Syllables for made-up company words: 60 of them give names as varied as real ones (no two share most trigrams). */
const SYLLABLES = ['ka', 'ko', 'ri', 'ta', 'ne', 'lo', 'mi', 'sa', 've', 'ru', 'di', 'po', 'zan', 'tor', 'bel', 'mar', 'fin', 'gra', 'hel', 'jor', 'kes', 'lin', 'mon', 'nor', 'pel', 'quin', 'ros', 'sel', 'tan', 'ul', 'var', 'wes', 'xan', 'yor', 'zel', 'bra', 'cro', 'dra', 'fle', 'glo', 'kra', 'pla', 'sto', 'tri', 'vel', 'am', 'en', 'is', 'on', 'us', 'ar', 'el', 'ir', 'or', 'ur', 'an', 'in', 'un', 'ex', 'ox'];
const INDUSTRIES = ['Logistics', 'Consulting', 'Software', 'Foods', 'Pharma', 'Energy', 'Media', 'Finance', 'Insurance', 'Robotics', 'Textiles', 'Motors', 'Analytics', 'Health', 'Labs', 'Systems', 'Networks', 'Builders', 'Design', 'Travel', 'Security', 'Partners', 'Holdings', 'Studios', 'Trading'];

const sqlArray = (words: string[]) => `array[${words.map((w) => `'${w}'`).join(',')}]`;

async function seed(database: string, passwordHash: string): Promise<void> {
  await runSql(
    database,
    `insert into app_user (id, created_at, name, email, role, password_hash)
       values (gen_random_uuid(), now(), 'Triage Agent', 'triage@bench.example', 'AGENT', '${passwordHash}')`,
    // "Finelam Taxan Logistics": two made-up words from a hash of the row number, and an industry.
    `insert into business (id, created_at, name, domain)
       select gen_random_uuid(), now(),
              initcap(sy[1 + h % 60] || sy[1 + (h / 60) % 60] || sy[1 + (h / 3600) % 60]) || ' ' ||
              initcap(sy[1 + (h / 216000) % 60] || sy[1 + (h / 12960000) % 60]) || ' ' || d[1 + i % ${INDUSTRIES.length}],
              'b' || i || '.example'
       from generate_series(0, ${BUSINESSES - 1}) i,
            lateral (select abs(hashtext(i::text))::bigint h) hashed,
            lateral (select ${sqlArray(SYLLABLES)} sy, ${sqlArray(INDUSTRIES)} d) words`,
    `insert into contact (id, created_at, business_id, name, email)
       select gen_random_uuid(), now(), id, 'Contact ' || row_number() over (), 'contact' || row_number() over () || '@' || domain
       from (select id, domain from business order by id limit ${Math.floor(BUSINESSES / 10)}) b`,
    'analyze',
  );
}

/** A typo: one letter dropped from the middle of the longest word. */
function typo(name: string): string {
  const words = name.split(' ');
  const longest = words.reduce((a, b) => (b.length > a.length ? b : a));
  const at = Math.floor(longest.length / 2);
  return name.replace(longest, longest.slice(0, at) + longest.slice(at + 1));
}

/** The first two words swapped: "Taxan Finelam Logistics". */
function swapped(name: string): string {
  const [first, second, ...rest] = name.split(' ');
  return [second, first, ...rest].join(' ');
}

async function main(): Promise<void> {
  const server = await startBenchServer('triage');
  try {
    const started = Date.now();
    await seed(server.database, await hashPassword('bench-password'));
    console.log(`seeded ${BUSINESSES.toLocaleString('en')} businesses in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const login = await server.post('mutation { login(input: { email: "triage@bench.example", password: "bench-password" }) { token } }', {});
    const token = (login.login as { token: string }).token;

    // Samples spread over the table: every n-th business by name.
    const sample = (await server.post('query($first: Int) { businesses(first: $first) { nodes { name domain contacts { email } } } }', { first: 100 }, token))
      .businesses as { nodes: { name: string; domain: string; contacts: { email: string }[] }[] };
    const senders = sample.nodes.map((b, i) => {
      const kind = i % 3;
      const email = kind === 0 && b.contacts[0] ? b.contacts[0].email : kind === 1 ? `someone@${b.domain}` : `person${i}@freemail.example`;
      return { email, company: i % 2 === 0 ? typo(b.name) : swapped(b.name) };
    });
    const ticketIds: string[] = [];
    for (const sender of senders) {
      const created = await server.post(
        'mutation($input: CreateTicketInput!) { createTicket(input: $input) { ticket { id } } }',
        { input: { title: 'Help', description: 'Please', submitterName: 'Sender', submitterEmail: sender.email, submittedCompanyName: sender.company } },
        token,
      );
      ticketIds.push((created.createTicket as { ticket: { id: string } }).ticket.id);
    }

    const MATCHES = 'query($id: ID!) { ticket(id: $id) { businessMatches { score business { name } reasons { kind score } } } }';
    const SEARCH = 'query($search: String) { businesses(search: $search, first: 20) { nodes { id name } } }';
    let hits = 0;
    const matchTimes = await time(ROUNDS, async (round) => {
      const index = Math.max(round, 0) % ticketIds.length;
      const data = (await server.post(MATCHES, { id: ticketIds[index] }, token)).ticket as { businessMatches: { business: { name: string } }[] };
      if (round >= 0 && data.businessMatches.some((m) => m.business.name === sample.nodes[index].name)) hits += 1;
    });
    const searchTimes = await time(ROUNDS, (round) => server.post(SEARCH, { search: senders[Math.max(round, 0) % senders.length].company }, token));

    const rows: string[] = [];
    for (const [name, samples] of [
      ['`Ticket.businessMatches` (top 5 with reasons)', matchTimes],
      ['`businesses(search:)` with typos / swapped words, first 20', searchTimes],
    ] as const) {
      const { median, p95 } = stats([...samples]);
      rows.push(`| ${name} | ${median.toFixed(1)} | ${p95.toFixed(1)} |`);
      console.log(`${name.padEnd(60)} median ${median.toFixed(1)} ms   p95 ${p95.toFixed(1)} ms`);
    }
    const recall = `${hits} of ${ROUNDS} match lists contained the intended business`;
    console.log(recall);
    await record('triage', [
      '### Triage (`npm run bench:triage`)',
      '',
      `Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}, PostgreSQL on the same machine.`,
      `${BUSINESSES.toLocaleString('en')} businesses (${Math.floor(BUSINESSES / 10).toLocaleString('en')} with a contact); 100 unassigned tickets whose`,
      'submitters give a company name with a typo or swapped words, and a contact email, a business-domain email or a free-mail',
      `address. ${ROUNDS} sequential requests per row over HTTP, after one warm-up. Target: p95 under 50 ms.`,
      '',
      '| query | median ms | p95 ms |',
      '| --- | --- | --- |',
      ...rows,
      '',
      `Quality: ${recall}.`,
    ]);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
