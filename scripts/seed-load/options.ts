/** `--tickets N`, `--database NAME`, `--seed N`, `--password P` (also as `--flag=value`). */
export interface Options {
  tickets: number;
  database: string;
  seed: number;
  password: string;
}

export function parseOptions(argv: string[]): Options {
  const options: Options = { tickets: 1_000_000, database: 'ticketgraph_load', seed: 42, password: 'load-password' };
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i];
    if (flag === '--tickets') options.tickets = Number(value());
    else if (flag === '--database') options.database = value();
    else if (flag === '--seed') options.seed = Number(value());
    else if (flag === '--password') options.password = value();
    else throw new Error(`Unknown option ${argv[i]} (known: --tickets N, --database NAME, --seed N, --password P)`);
  }
  if (!Number.isInteger(options.tickets) || options.tickets < 100) throw new Error('--tickets must be a whole number of at least 100.');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.database)) throw new Error('--database must be a plain lower-case identifier.');
  if (!Number.isInteger(options.seed)) throw new Error('--seed must be a whole number.');
  if (options.password.length < 8) throw new Error('--password must have at least 8 characters.');
  return options;
}
