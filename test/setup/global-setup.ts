import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { migrationOnlyConfig } from '../../src/db/migrations.config';
import { startEmbeddedDatabase } from '../../src/db/embedded';
import { databaseUrl, onServer } from './databases';

/** The embedded server of this run, stopped and deleted by the global teardown. */
export interface EmbeddedForTests {
  root: string;
  stop(): Promise<void>;
}

/**
 * Once per `npm test`: picks the PostgreSQL server (DATABASE_URL, or an embedded one when unset),
 * and builds a migrated template database that every test file copies (CREATE DATABASE … TEMPLATE),
 * so each file gets its own database in milliseconds.
 */
export default async function globalSetup(): Promise<void> {
  let server = process.env.DATABASE_URL;
  if (!server) {
    const root = await mkdtemp(path.join(os.tmpdir(), 'ticketgraph-test-'));
    const embedded = await startEmbeddedDatabase(path.join(root, 'pg'));
    (globalThis as { embeddedForTests?: EmbeddedForTests }).embeddedForTests = { root, stop: embedded.stop };
    server = embedded.url;
  }
  const template = `tg_template_${process.pid}`;
  await onServer(server, `drop database if exists ${template}`, `create database ${template}`);
  const orm = await MikroORM.init(migrationOnlyConfig(databaseUrl(server, template)));
  await orm.getMigrator().up();
  await orm.close(true);

  process.env.TEST_SERVER_URL = server;
  process.env.TEST_TEMPLATE_DB = template;
}
