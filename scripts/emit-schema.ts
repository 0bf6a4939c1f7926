import 'reflect-metadata';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { printSchema } from 'graphql';
import { createLocalPubSub } from '../src/modules/realtime/pubsub';
import { createSchema } from '../src/schema';

/**
 * `npm run schema:emit` writes schema/schema.graphql from the code; `npm run schema:check` (with
 * --check) fails when the committed file differs, so the partner reference never drifts.
 */
async function main(): Promise<void> {
  const file = path.resolve(__dirname, '../../schema/schema.graphql');
  const schema = await createSchema(createLocalPubSub());
  const text = `# Emitted from the code by \`npm run schema:emit\`. Do not edit by hand.\n\n${printSchema(schema)}\n`;
  if (process.argv.includes('--check')) {
    const committed = await readFile(file, 'utf8').catch(() => '');
    if (committed !== text) {
      console.error('schema/schema.graphql is stale: run `npm run schema:emit` and commit it.');
      process.exit(1);
    }
    console.log('schema/schema.graphql is up to date.');
    return;
  }
  await writeFile(file, text);
  console.log(`wrote ${path.relative(process.cwd(), file)}`);
}

void main();
