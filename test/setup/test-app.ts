import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { parse, print, type GraphQLFormattedError } from 'graphql';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { startApp, type App } from '../../src/app';
import { loadConfig } from '../../src/config';
import { TokenService } from '../../src/modules/users/auth/tokens';
import { databaseUrl, onServer, serverUrl } from './databases';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: GraphQLFormattedError[];
}

/** The real server on a random port, with a database of its own copied from the migrated template. */
export interface TestApp {
  url: string;
  /** The database this instance uses; pass the app as `sameDatabaseAs` to start a second instance on it. */
  databaseUrl: string;
  app: App;
  tokens: TokenService;
  /** A fresh ORM fork, for arranging data and checking what was written. */
  em(): EntityManager;
  /** Sends a typed operation over HTTP, as a client would. */
  gql<T, V>(document: TypedDocumentNode<T, V>, variables?: V, token?: string): Promise<GraphQLResponse<T>>;
  /**
   * Counts the SQL statements the server runs while `work` runs, from a settled app (nothing earlier
   * still running). `warm`: tokens whose credentials are read (and cached) first, so that signing in
   * costs no statement in the count whatever earlier steps did to the cache.
   */
  countStatements<T>(work: () => Promise<T>, warm?: readonly string[]): Promise<{ result: T; statements: number }>;
  stop(): Promise<void>;
}

/** `logger`: where the app logs (silent unless TEST_LOG_LEVEL); a suite that reads the log passes its own. */
export async function startTestApp(env: Record<string, string> = {}, sameDatabaseAs?: TestApp, logger?: Logger): Promise<TestApp> {
  const server = serverUrl();
  const database = sameDatabaseAs
    ? new URL(sameDatabaseAs.databaseUrl).pathname.slice(1)
    : `tg_test_${process.env.JEST_WORKER_ID ?? '0'}_${randomBytes(4).toString('hex')}`;
  if (!sameDatabaseAs) await onServer(server, `create database ${database} template ${process.env.TEST_TEMPLATE_DB}`);

  const config = loadConfig({
    PORT: '0',
    DATABASE_URL: databaseUrl(server, database),
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: path.join(os.tmpdir(), database),
    // Suites submit many web forms from one address; the rate-limit suite sets its own limit.
    SUBMIT_RATE_LIMIT: '100000',
    // No background job runs unless a suite asks for one: a job's statements would be counted in
    // another test's statement counts (the twelve-subscribers test failed so under load).
    JOB_INTERVAL_SECONDS: '0',
    // Nor does a timeline consumer: suites catch one up by hand (app.consumers.catchUp).
    FEED_CONSUMERS: 'false',
    // Fixtures write thousands of rows in one statement through the app's pool; on a busy machine that
    // outlasts the production statement timeout. The bounded-resources suite sets its own.
    DB_STATEMENT_TIMEOUT_MS: '120000',
    // Suites log in (and fail to) many times from one address; the login throttle suite sets its own limits.
    LOGIN_MAX_FAILURES: '100000',
    LOGIN_MAX_FAILURES_PER_ADDRESS: '100000',
    // Nor may the request rate limit throttle other suites; rate-limits.test.ts sets small ones.
    RATE_LIMIT_POINTS: '1000000',
    RATE_LIMIT_ANONYMOUS_POINTS: '1000000',
    ...env,
  });
  const app = await startApp(config, logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }));
  const url = `http://127.0.0.1:${app.port}/graphql`;
  let statements = 0;
  /** Statements sent and not yet answered, by knex's query id. */
  const inFlight = new Set<string>();
  const knex = app.database.orm.em.getConnection().getKnex();
  knex.on('query', (query: { __knexQueryUid?: string }) => {
    statements += 1;
    if (query.__knexQueryUid) inFlight.add(query.__knexQueryUid);
  });
  const answered = (_: unknown, query: { __knexQueryUid?: string }) => {
    if (query.__knexQueryUid) inFlight.delete(query.__knexQueryUid);
  };
  knex.on('query-response', answered);
  knex.on('query-error', answered);

  const gql: TestApp['gql'] = async (document, variables, token) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: print(document), variables }),
    });
    return (await response.json()) as GraphQLResponse<never>;
  };

  /**
   * Waits, by condition and never by a quiet period, until nothing set off earlier is still running:
   * no statement unanswered, change notices heard, the timeline hub's reads done, and a whole round of
   * that without a new statement (a finished step may set off the next).
   */
  const settle = async () => {
    const deadline = Date.now() + 60_000;
    for (let seen = -1; seen !== statements || inFlight.size > 0; ) {
      if (Date.now() > deadline) throw new Error(`the app did not settle: ${inFlight.size} statements unanswered`);
      seen = statements;
      await app.settled();
      while (inFlight.size > 0 && Date.now() <= deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setImmediate(resolve));
    }
  };

  return {
    url,
    databaseUrl: databaseUrl(server, database),
    app,
    tokens: new TokenService(TEST_JWT_SECRET, config.tokenTtlSeconds),
    em: () => app.database.orm.em.fork() as EntityManager,
    gql,
    async countStatements(work, warm = []) {
      // From a settled app: late work of an earlier step (a warm-up ping still read by the timeline hub,
      // a notice that empties a cache) must not be counted as this work's.
      await settle();
      if (warm.length > 0) {
        // Nothing commits meanwhile (the app is settled), so each credential read now stays cached.
        for (const token of warm) await gql(parse('{ __typename }') as TypedDocumentNode<unknown, never>, undefined, token);
        await settle();
      }
      const before = statements;
      const result = await work();
      return { result, statements: statements - before };
    },
    async stop() {
      await app.stop();
      // The first instance owns the database; a second one on it leaves it be.
      if (!sameDatabaseAs) await onServer(server, `drop database if exists ${database} with (force)`);
    },
  };
}
