import { chmod, chown, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { blockedDirectory, reachableBase, relocatedCluster } from '../../src/db/embedded-placement';

/** Where, run as root, the embedded PostgreSQL's user can reach the binaries and the cluster (smoke.test.ts starts it so). */
let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'placement-'));
  await chmod(root, 0o755);
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('blockedDirectory', () => {
  it('names the first directory on the way that others may not enter', async () => {
    await mkdir(path.join(root, 'home/project/node_modules'), { recursive: true });
    await chmod(path.join(root, 'home'), 0o700);
    expect(await blockedDirectory(path.join(root, 'home/project/node_modules'))).toBe(path.join(root, 'home'));
    await chmod(path.join(root, 'home'), 0o711);
    expect(await blockedDirectory(path.join(root, 'home/project/node_modules'))).toBeNull();
  });

  it('counts the target itself, and stops at the first missing directory (made later with the default mode)', async () => {
    await mkdir(path.join(root, 'private'), { mode: 0o750 });
    expect(await blockedDirectory(path.join(root, 'private'))).toBe(path.join(root, 'private'));
    expect(await blockedDirectory(path.join(root, 'missing/deeper'))).toBeNull();
  });
});

(process.getuid?.() === 0 ? describe : describe.skip)('reachableBase (as root)', () => {
  it('makes a root-owned directory others can enter', async () => {
    const base = await reachableBase(root);
    expect(base).toBe(path.join(root, 'ticketgraph-postgres'));
    expect(await blockedDirectory(base)).toBeNull();
  });

  it('refuses one that another user made first, one others may write to, and a symlink', async () => {
    const base = path.join(root, 'ticketgraph-postgres');
    await mkdir(base, { mode: 0o755 });
    await chown(base, 65534, 65534);
    await expect(reachableBase(root)).rejects.toThrow(/not a directory owned by root and writable only by it.*set DATABASE_URL/);

    await chown(base, 0, 0);
    await chmod(base, 0o777);
    await expect(reachableBase(root)).rejects.toThrow(/not a directory owned by root/);

    await rm(base, { recursive: true });
    await mkdir(path.join(root, 'elsewhere'));
    await symlink(path.join(root, 'elsewhere'), base);
    await expect(reachableBase(root)).rejects.toThrow(/not a directory owned by root/);
  });
});

describe('relocatedCluster', () => {
  it('gives each data directory a cluster of its own, the same on every start', () => {
    const a = relocatedCluster('/tmp/base', '/root/a/.data/pg');
    expect(a).toBe(relocatedCluster('/tmp/base', '/root/a/.data/pg'));
    expect(a).not.toBe(relocatedCluster('/tmp/base', '/root/b/.data/pg'));
    expect(path.dirname(a)).toBe('/tmp/base');
  });
});
