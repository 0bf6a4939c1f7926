import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Change } from '@graphql-inspector/core';
import { compareSchemas } from './schema-compat';

/**
 * `npm run schema:diff` compares schema/schema.graphql (the contract as the code emits it) with
 * schema/released.graphql (the last release) and fails on a breaking change that the release had not
 * announced with @deprecated. `npm run schema:release` (--release) makes the current schema the new
 * baseline, after the same check: a release may not smuggle a break into the baseline.
 */
const ROOT = path.resolve(__dirname, '../..');
const CURRENT = path.join(ROOT, 'schema/schema.graphql');
const RELEASED = path.join(ROOT, 'schema/released.graphql');

const line = (change: Change) => `  ${change.path ?? ''}: ${change.message}`;

async function main(): Promise<void> {
  const current = await readFile(CURRENT, 'utf8');
  const released = await readFile(RELEASED, 'utf8').catch(() => null);
  if (released === null && !process.argv.includes('--release')) {
    console.error('schema/released.graphql is missing: cut the first release with `npm run schema:release`.');
    process.exit(1);
  }
  // The first release has nothing to keep compatible with.
  const result = await compareSchemas(released ?? current, current);

  if (result.dangerous.length > 0) console.log(`Dangerous (clients may need to handle these):\n${result.dangerous.map(line).join('\n')}`);
  if (result.announced.length > 0) console.log(`Removed after deprecation in the release:\n${result.announced.map(line).join('\n')}`);
  console.log(`${result.safe.length} safe change(s) since the release.`);
  if (result.refused.length > 0) {
    console.error(
      `Breaking changes not announced in schema/released.graphql:\n${result.refused.map(line).join('\n')}\n` +
        'Keep the old element, mark it @deprecated(reason: "…"), release, and remove it after the deprecation period (docs/contract.md).',
    );
    process.exit(1);
  }

  if (process.argv.includes('--release')) {
    const body = current.replace(/^# Emitted from the code[^\n]*\n\n/, '');
    await writeFile(RELEASED, `# The last released schema (npm run schema:release, ${new Date().toISOString().slice(0, 10)}). Do not edit by hand.\n\n${body}`);
    console.log(`wrote ${path.relative(process.cwd(), RELEASED)}: commit it with the release.`);
  }
}

void main();
