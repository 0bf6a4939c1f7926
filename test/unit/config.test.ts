import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';

/** Runs loadConfig and returns the ConfigError it throws (failing the test when it throws nothing else). */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      databaseUrl: undefined,
      redisUrl: undefined,
      admin: undefined,
      jwtSecret: undefined,
      tokenTtlSeconds: 12 * 3600,
      smtpUrl: undefined,
      mailFrom: 'Ticketgraph Support <support@localhost>',
      publicUrl: 'http://localhost:4000',
      mailCap: { perTicket: 10, windowSeconds: 3600 },
      deliveries: { leaseSeconds: 60, concurrency: 32 },
      dataDir: path.resolve('.data'),
      logLevel: 'info',
      autoCloseAfterSeconds: 7 * 24 * 3600,
      jobIntervalSeconds: 60,
      slaWarnAt: 0.8,
      accountMail: { invitationTtlSeconds: 7 * 24 * 3600, passwordResetTtlSeconds: 3600, resetRequestsPerHour: 5 },
      feed: { consumers: true, leaseSeconds: 10, retrySeconds: 1 },
      submitRateLimit: { points: 10, windowSeconds: 600 },
      trustProxy: false,
      inboundEmailSecret: undefined,
      inboundEmailMaxBytes: 10 * 1024 * 1024,
      wsMaxSubscriptions: 20,
      wsKeepAliveSeconds: 30,
      database: { poolMax: 10, acquireTimeoutMs: 5000, statementTimeoutMs: 15_000 },
      requestTimeoutMs: 30_000,
      introspection: true,
      graphiql: true,
      metrics: { token: undefined, port: undefined },
      loginThrottle: { maxFailuresPerAccount: 5, maxFailuresPerAddress: 20, windowSeconds: 900 },
      queryLimits: { maxDepth: 12, maxAliases: 30, maxRootFields: 10, maxTokens: 10_000, maxIntrospectionFields: 300, maxCost: 25_000, maxSubscriptionCost: 1000 },
      requestRateLimit: { points: 600, anonymousPoints: 120, windowSeconds: 60 },
      webhooks: { allowPrivate: false, timeoutMs: 15_000 },
    });
  });

  it('reads GRAPHIQL and the metrics settings, and refuses a short token or a bad port', () => {
    expect(loadConfig({ GRAPHIQL: 'false', METRICS_TOKEN: 'a-token-of-16-chars', METRICS_PORT: '9464' })).toMatchObject({
      graphiql: false,
      metrics: { token: 'a-token-of-16-chars', port: 9464 },
    });
    expect(configError({ METRICS_TOKEN: 'short' }).variable).toBe('METRICS_TOKEN');
    expect(configError({ METRICS_PORT: '70000' }).variable).toBe('METRICS_PORT');
    expect(configError({ GRAPHIQL: 'maybe' }).variable).toBe('GRAPHIQL');
  });

  it('refuses a login throttle limit of 0 and a window that is not a number', () => {
    expect(configError({ LOGIN_MAX_FAILURES: '0' }).variable).toBe('LOGIN_MAX_FAILURES');
    expect(configError({ LOGIN_THROTTLE_SECONDS: 'soon' }).variable).toBe('LOGIN_THROTTLE_SECONDS');
  });

  it('reads the SLA warning share and the account link settings, and refuses what they cannot be', () => {
    const config = loadConfig({ SLA_WARN_AT: '0.75', INVITATION_TTL: '2d', PASSWORD_RESET_TTL: '30m', PASSWORD_RESET_REQUESTS_PER_HOUR: '2' });
    expect(config.slaWarnAt).toBe(0.75);
    expect(config.accountMail).toEqual({ invitationTtlSeconds: 2 * 24 * 3600, passwordResetTtlSeconds: 1800, resetRequestsPerHour: 2 });
    for (const value of ['0', '1', '1.5', '-0.2', '80%', 'soon']) expect(configError({ SLA_WARN_AT: value }).variable).toBe('SLA_WARN_AT');
    expect(configError({ PASSWORD_RESET_TTL: '10s' }).variable).toBe('PASSWORD_RESET_TTL');
    expect(configError({ INVITATION_TTL: 'a week' }).variable).toBe('INVITATION_TTL');
    expect(configError({ PASSWORD_RESET_REQUESTS_PER_HOUR: '0' }).variable).toBe('PASSWORD_RESET_REQUESTS_PER_HOUR');
  });

  it('treats blank values as unset', () => {
    const config = loadConfig({ PORT: '  ', DATABASE_URL: '', REDIS_URL: ' ', ADMIN_EMAIL: '', ADMIN_PASSWORD: '', JWT_SECRET: '' });
    expect(config.port).toBe(4000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.admin).toBeUndefined();
    expect(config.jwtSecret).toBeUndefined();
  });

  it('reads a complete, valid environment', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db.example:5432/tg',
      REDIS_URL: 'rediss://cache.example:6380',
      ADMIN_EMAIL: 'Boss@X.example',
      ADMIN_PASSWORD: 'long-password-1',
      JWT_SECRET: 'x'.repeat(32),
      TOKEN_TTL_SECONDS: '60',
      SMTP_URL: 'smtp://mail.example:25',
      MAIL_FROM: 'Acme Support <help@acme.example>',
      PUBLIC_URL: 'https://help.acme.example/',
      MAIL_CAP_PER_TICKET: '3',
      MAIL_CAP_WINDOW: '30m',
      DELIVERY_LEASE_SECONDS: '120',
      DELIVERY_CONCURRENCY: '4',
      DATA_DIR: '/tmp/tg-data',
      LOG_LEVEL: 'debug',
      AUTO_CLOSE_AFTER: '36h',
      JOB_INTERVAL_SECONDS: '0',
      SLA_WARN_AT: '.9',
      INVITATION_TTL: '3d',
      PASSWORD_RESET_TTL: '20m',
      PASSWORD_RESET_REQUESTS_PER_HOUR: '4',
      FEED_CONSUMERS: 'false',
      FEED_LEASE_SECONDS: '3',
      FEED_RETRY_SECONDS: '5',
      SUBMIT_RATE_LIMIT: '3',
      SUBMIT_RATE_WINDOW_SECONDS: '60',
      TRUST_PROXY: 'true',
      INBOUND_EMAIL_SECRET: 'inbound-secret-0123',
      INBOUND_EMAIL_MAX_BYTES: '2048',
      INBOUND_AUTHSERV_ID: 'mx.ticketgraph.example',
      WS_MAX_SUBSCRIPTIONS: '5',
      WS_KEEPALIVE_SECONDS: '10',
      DB_POOL_MAX: '25',
      DB_ACQUIRE_TIMEOUT_MS: '1500',
      DB_STATEMENT_TIMEOUT_MS: '60000',
      REQUEST_TIMEOUT_MS: '90000',
      INTROSPECTION: 'false',
      GRAPHIQL: 'false',
      METRICS_TOKEN: 'metrics-token-0123456789',
      METRICS_PORT: '9464',
      LOGIN_MAX_FAILURES: '3',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '50',
      LOGIN_THROTTLE_SECONDS: '60',
      MAX_QUERY_DEPTH: '8',
      MAX_ALIASES: '0',
      MAX_ROOT_FIELDS: '3',
      MAX_TOKENS: '2000',
      MAX_INTROSPECTION_FIELDS: '250',
      MAX_QUERY_COST: '500',
      MAX_SUBSCRIPTION_COST: '50',
      RATE_LIMIT_POINTS: '100',
      RATE_LIMIT_ANONYMOUS_POINTS: '20',
      RATE_LIMIT_WINDOW_SECONDS: '10',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_TIMEOUT_MS: '2000',
    });
    expect(config).toEqual({
      port: 8080,
      databaseUrl: 'postgres://u:p@db.example:5432/tg',
      redisUrl: 'rediss://cache.example:6380',
      admin: { email: 'boss@x.example', password: 'long-password-1' },
      jwtSecret: 'x'.repeat(32),
      tokenTtlSeconds: 60,
      smtpUrl: 'smtp://mail.example:25',
      mailFrom: 'Acme Support <help@acme.example>',
      publicUrl: 'https://help.acme.example',
      mailCap: { perTicket: 3, windowSeconds: 1800 },
      deliveries: { leaseSeconds: 120, concurrency: 4 },
      dataDir: '/tmp/tg-data',
      logLevel: 'debug',
      autoCloseAfterSeconds: 36 * 3600,
      jobIntervalSeconds: 0,
      slaWarnAt: 0.9,
      accountMail: { invitationTtlSeconds: 3 * 24 * 3600, passwordResetTtlSeconds: 1200, resetRequestsPerHour: 4 },
      feed: { consumers: false, leaseSeconds: 3, retrySeconds: 5 },
      submitRateLimit: { points: 3, windowSeconds: 60 },
      trustProxy: true,
      inboundEmailSecret: 'inbound-secret-0123',
      inboundEmailMaxBytes: 2048,
      inboundAuthservId: 'mx.ticketgraph.example',
      wsMaxSubscriptions: 5,
      wsKeepAliveSeconds: 10,
      database: { poolMax: 25, acquireTimeoutMs: 1500, statementTimeoutMs: 60_000 },
      requestTimeoutMs: 90_000,
      introspection: false,
      graphiql: false,
      metrics: { token: 'metrics-token-0123456789', port: 9464 },
      loginThrottle: { maxFailuresPerAccount: 3, maxFailuresPerAddress: 50, windowSeconds: 60 },
      queryLimits: { maxDepth: 8, maxAliases: 0, maxRootFields: 3, maxTokens: 2000, maxIntrospectionFields: 250, maxCost: 500, maxSubscriptionCost: 50 },
      requestRateLimit: { points: 100, anonymousPoints: 20, windowSeconds: 10 },
      webhooks: { allowPrivate: true, timeoutMs: 2000 },
    });
  });

  it('accepts postgresql:// as well as postgres://, and the edges of the PORT range', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/tg' }).databaseUrl).toBe('postgresql://localhost/tg');
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
  });

  const bad: [string, Record<string, string>][] = [
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '-1' }],
    ['PORT', { PORT: '80.5' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    ['REDIS_URL', { REDIS_URL: 'http://x' }],
    ['REDIS_URL', { REDIS_URL: 'not a url' }],
    ['SMTP_URL', { SMTP_URL: 'http://mail.example' }],
    ['ADMIN_PASSWORD', { ADMIN_EMAIL: 'boss@x.example' }],
    ['ADMIN_EMAIL', { ADMIN_PASSWORD: 'long-password-1' }],
    ['ADMIN_EMAIL', { ADMIN_EMAIL: 'bad', ADMIN_PASSWORD: 'long-password-1' }],
    ['MAIL_FROM', { MAIL_FROM: 'Support <not an address>' }],
    ['PUBLIC_URL', { PUBLIC_URL: 'ftp://help.example' }],
    ['MAIL_CAP_PER_TICKET', { MAIL_CAP_PER_TICKET: '0' }],
    ['MAIL_CAP_PER_TICKET', { MAIL_CAP_PER_TICKET: 'ten' }],
    ['MAIL_CAP_WINDOW', { MAIL_CAP_WINDOW: '30s' }],
    ['DELIVERY_LEASE_SECONDS', { DELIVERY_LEASE_SECONDS: '15' }],
    ['DELIVERY_CONCURRENCY', { DELIVERY_CONCURRENCY: '0' }],
    ['ADMIN_PASSWORD', { ADMIN_EMAIL: 'boss@x.example', ADMIN_PASSWORD: 'short' }],
    ['JWT_SECRET', { JWT_SECRET: 'x'.repeat(31) }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['TOKEN_TTL_SECONDS', { TOKEN_TTL_SECONDS: '5' }],
    ['TOKEN_TTL_SECONDS', { TOKEN_TTL_SECONDS: 'soon' }],
    ['AUTO_CLOSE_AFTER', { AUTO_CLOSE_AFTER: 'a week' }],
    ['AUTO_CLOSE_AFTER', { AUTO_CLOSE_AFTER: '10s' }],
    ['JOB_INTERVAL_SECONDS', { JOB_INTERVAL_SECONDS: '-5' }],
    ['FEED_CONSUMERS', { FEED_CONSUMERS: 'sometimes' }],
    ['FEED_LEASE_SECONDS', { FEED_LEASE_SECONDS: '0' }],
    ['FEED_RETRY_SECONDS', { FEED_RETRY_SECONDS: '3601' }],
    ['SUBMIT_RATE_LIMIT', { SUBMIT_RATE_LIMIT: '0' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'maybe' }],
    ['INBOUND_EMAIL_SECRET', { INBOUND_EMAIL_SECRET: 'short' }],
    ['INBOUND_EMAIL_MAX_BYTES', { INBOUND_EMAIL_MAX_BYTES: '10' }],
    ['INBOUND_AUTHSERV_ID', { INBOUND_AUTHSERV_ID: 'mx.example.com; dmarc=pass' }],
    ['WS_MAX_SUBSCRIPTIONS', { WS_MAX_SUBSCRIPTIONS: '0' }],
    ['WS_KEEPALIVE_SECONDS', { WS_KEEPALIVE_SECONDS: 'often' }],
    ['DB_POOL_MAX', { DB_POOL_MAX: '0' }],
    ['DB_POOL_MAX', { DB_POOL_MAX: 'ten' }],
    ['DB_ACQUIRE_TIMEOUT_MS', { DB_ACQUIRE_TIMEOUT_MS: '50' }],
    ['DB_ACQUIRE_TIMEOUT_MS', { DB_ACQUIRE_TIMEOUT_MS: '5s' }],
    ['DB_STATEMENT_TIMEOUT_MS', { DB_STATEMENT_TIMEOUT_MS: '0' }],
    ['DB_STATEMENT_TIMEOUT_MS', { DB_STATEMENT_TIMEOUT_MS: '1.5' }],
    ['REQUEST_TIMEOUT_MS', { REQUEST_TIMEOUT_MS: '99' }],
    ['REQUEST_TIMEOUT_MS', { REQUEST_TIMEOUT_MS: '3600001' }],
    ['INTROSPECTION', { INTROSPECTION: 'off' }],
    ['MAX_QUERY_DEPTH', { MAX_QUERY_DEPTH: '0' }],
    ['MAX_ALIASES', { MAX_ALIASES: 'many' }],
    ['MAX_ROOT_FIELDS', { MAX_ROOT_FIELDS: '0' }],
    ['MAX_TOKENS', { MAX_TOKENS: '50' }],
    ['MAX_QUERY_COST', { MAX_QUERY_COST: '0' }],
    ['MAX_INTROSPECTION_FIELDS', { MAX_INTROSPECTION_FIELDS: '0' }],
    ['MAX_SUBSCRIPTION_COST', { MAX_SUBSCRIPTION_COST: 'lots' }],
    ['RATE_LIMIT_POINTS', { RATE_LIMIT_POINTS: '0' }],
    ['RATE_LIMIT_ANONYMOUS_POINTS', { RATE_LIMIT_ANONYMOUS_POINTS: '-1' }],
    ['RATE_LIMIT_WINDOW_SECONDS', { RATE_LIMIT_WINDOW_SECONDS: '0' }],
    ['WEBHOOK_ALLOW_PRIVATE', { WEBHOOK_ALLOW_PRIVATE: 'yes' }],
    ['WEBHOOK_TIMEOUT_MS', { WEBHOOK_TIMEOUT_MS: '99' }],
    ['WEBHOOK_TIMEOUT_MS', { WEBHOOK_TIMEOUT_MS: '15001' }],
  ];

  it.each(bad)('refuses a bad %s (%j) with a ConfigError naming it', (variable, env) => {
    const error = configError(env);
    expect(error.name).toBe('ConfigError');
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).toMatch(/^Invalid configuration: /);
  });

  it('shows the bad value in the message of a number out of range', () => {
    expect(configError({ PORT: '70000' }).message).toContain('70000');
    expect(configError({ PORT: 'abc' }).message).toContain('"abc"');
  });

  it('does not echo a bad URL, which may carry a password', () => {
    expect(configError({ DATABASE_URL: 'mysql://root:hunter2@x' }).message).not.toContain('hunter2');
  });
});
