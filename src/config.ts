import ms from 'ms';
import path from 'node:path';

/** Raised at start when an environment variable holds a value we cannot use; names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`Invalid configuration: ${variable} ${message}`);
    this.name = 'ConfigError';
  }
}

/** The database pool and the time limits every pooled connection carries. */
export interface DatabaseLimits {
  /** Connections the pool may hold. */
  poolMax: number;
  /** How long a request waits for a free pool connection before it is answered SERVICE_UNAVAILABLE. */
  acquireTimeoutMs: number;
  /** PostgreSQL's statement_timeout and idle_in_transaction_session_timeout on every connection; 0 only for scripts. */
  statementTimeoutMs: number;
}

export interface Config {
  port: number;
  /** Unset means: run an embedded PostgreSQL with its data under `dataDir`. */
  databaseUrl?: string;
  redisUrl?: string;
  admin?: { email: string; password: string };
  /** Unset means: generate one and keep it under `dataDir`, so tokens survive a restart. */
  jwtSecret?: string;
  tokenTtlSeconds: number;
  /** Unset means: write outgoing mail as `.eml` files under `dataDir/mail/`. */
  smtpUrl?: string;
  /** The From of every mail we send; its domain ends our Message-IDs. */
  mailFrom: string;
  /** Where users reach this server: the base of every link in a mail (no trailing slash). */
  publicUrl: string;
  /** Mail to one address about one ticket: at most `perTicket` within `windowSeconds`; more is cancelled, not sent. */
  mailCap: { perTicket: number; windowSeconds: number };
  /** Outgoing mail and webhooks: how long an instance's claim on one attempt lasts, attempts in flight at once. */
  deliveries: { leaseSeconds: number; concurrency: number };
  dataDir: string;
  logLevel: string;
  /** How long a RESOLVED ticket stays quiet before it closes by itself. */
  autoCloseAfterSeconds: number;
  /** How often the background jobs (auto-close, SLA warnings and breaches, due follow-ups) run; 0 turns them off. */
  jobIntervalSeconds: number;
  /** The share of an SLA clock's time (0 < share < 1) after which it is recorded as at risk (SLA_AT_RISK). */
  slaWarnAt: number;
  /** Mailed account links: how long an invitation and a password reset stay valid, and reset requests allowed per address and hour. */
  accountMail: { invitationTtlSeconds: number; passwordResetTtlSeconds: number; resetRequestsPerHour: number };
  /** The timeline's consumers (roll-ups, deliveries): whether this instance runs them, their lease and first retry. */
  feed: { consumers: boolean; leaseSeconds: number; retrySeconds: number };
  /** Public submissions allowed per client address and window. */
  submitRateLimit: { points: number; windowSeconds: number };
  /** Trust X-Forwarded-For from a proxy in front (the client address is then the forwarded one). */
  trustProxy: boolean;
  /** The shared secret of POST /inbound/email; unset means the endpoint is off. */
  inboundEmailSecret?: string;
  inboundEmailMaxBytes: number;
  /** The authserv-id whose Authentication-Results headers are believed; unset: the topmost header's. */
  inboundAuthservId?: string;
  /** Subscriptions one WebSocket connection may hold at once. */
  wsMaxSubscriptions: number;
  /** Seconds between the server's WebSocket pings; a client that misses one is dropped. */
  wsKeepAliveSeconds: number;
  database: DatabaseLimits;
  /** How long an HTTP GraphQL request may run before it is answered TIMEOUT. */
  requestTimeoutMs: number;
  /** Schema introspection, and the "Did you mean …" suggestions that would reveal the schema without it. */
  introspection: boolean;
  /** GraphiQL for browsers that open /graphql (its bundle under /ide/). */
  graphiql: boolean;
  /** /metrics: off unless a bearer token or a port of its own is set (both: the port, with the token). */
  metrics: { token?: string; port?: number };
  /** Failed logins allowed per email and per client address within the window, before logins are refused. */
  loginThrottle: { maxFailuresPerAccount: number; maxFailuresPerAddress: number; windowSeconds: number };
  /** What one GraphQL operation may ask for, on HTTP and WebSocket alike (see server/limits). */
  queryLimits: QueryLimits;
  /** GraphQL requests (and WebSocket subscribe messages) allowed per window, per actor. */
  requestRateLimit: { points: number; anonymousPoints: number; windowSeconds: number };
  /** Outgoing webhooks: whether endpoints may resolve to private addresses, and how long one attempt may take. */
  webhooks: WebhookSettings;
}

export interface WebhookSettings {
  /** Accept endpoint URLs that resolve to loopback, private, link-local or other non-public addresses (tests, private networks). */
  allowPrivate: boolean;
  /** How long one attempt may take, answer included, before it counts as failed. */
  timeoutMs: number;
}

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxTokens: number;
  /** Fields selected inside `__schema` and `__type`, fragments expanded: each walks the whole schema. */
  maxIntrospectionFields: number;
  maxCost: number;
  /** The cost limit of a subscription, whose selection runs again for every subscriber at every event. */
  maxSubscriptionCost: number;
}

type Env = Record<string, string | undefined>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** Shortest admin password accepted at start; the same floor as createUser. */
export const MIN_PASSWORD_LENGTH = 8;

function optional(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function boolean(env: Env, name: string, fallback = false): boolean {
  const raw = optional(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

/** A duration such as "7d", "36h", "90m" or "45s" (parsed by the `ms` library), in seconds. */
function duration(env: Env, name: string, fallback: string): number {
  const raw = optional(env, name) ?? fallback;
  const milliseconds = ms(raw as ms.StringValue);
  if (typeof milliseconds !== 'number' || !Number.isFinite(milliseconds) || milliseconds < 60_000) {
    throw new ConfigError(name, `must be a duration of at least a minute such as "7d", "36h" or "90m", got "${raw}"`);
  }
  return Math.round(milliseconds / 1000);
}

/** A share strictly between 0 and 1, such as 0.8. */
function share(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^0?\.\d+$/.test(raw) || !(value > 0 && value < 1)) throw new ConfigError(name, `must be a number between 0 and 1 (exclusive) such as 0.8, got "${raw}"`);
  return value;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = optional(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

/** Reads and validates the environment once, at start. */
export function loadConfig(env: Env = process.env): Config {
  const adminEmail = optional(env, 'ADMIN_EMAIL');
  const adminPassword = optional(env, 'ADMIN_PASSWORD');
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    throw new ConfigError(adminEmail ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL', 'must be set together with the other ADMIN_ variable');
  }
  if (adminEmail !== undefined && !EMAIL.test(adminEmail)) throw new ConfigError('ADMIN_EMAIL', 'is not an email address');
  if (adminPassword !== undefined && adminPassword.length < MIN_PASSWORD_LENGTH) {
    throw new ConfigError('ADMIN_PASSWORD', `must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }

  const jwtSecret = optional(env, 'JWT_SECRET');
  if (jwtSecret !== undefined && jwtSecret.length < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');

  const inboundEmailSecret = optional(env, 'INBOUND_EMAIL_SECRET');
  if (inboundEmailSecret !== undefined && inboundEmailSecret.length < 16) {
    throw new ConfigError('INBOUND_EMAIL_SECRET', 'must be at least 16 characters');
  }

  const metricsToken = optional(env, 'METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters');

  const inboundAuthservId = optional(env, 'INBOUND_AUTHSERV_ID');
  if (inboundAuthservId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(inboundAuthservId)) {
    throw new ConfigError('INBOUND_AUTHSERV_ID', 'must be an authserv-id such as mx.example.com (letters, digits, dots, dashes)');
  }

  const mailFrom = optional(env, 'MAIL_FROM') ?? 'Ticketgraph Support <support@localhost>';
  // A host without a dot (localhost) is allowed here: mail written to files needs no real domain.
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(/<([^>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom)) {
    throw new ConfigError('MAIL_FROM', 'must be an address, optionally with a name: Support <support@example.com>');
  }
  const port = integer(env, 'PORT', 4000, 0, 65535);

  const logLevel = optional(env, 'LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  return {
    port,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']),
    admin: adminEmail && adminPassword ? { email: adminEmail.toLowerCase(), password: adminPassword } : undefined,
    jwtSecret,
    tokenTtlSeconds: integer(env, 'TOKEN_TTL_SECONDS', 12 * 3600, 60, 30 * 24 * 3600),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom,
    publicUrl: (url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    mailCap: {
      perTicket: integer(env, 'MAIL_CAP_PER_TICKET', 10, 1, 1000),
      windowSeconds: duration(env, 'MAIL_CAP_WINDOW', '1h'),
    },
    deliveries: {
      // Above the longest attempt (a webhook's 15 s timeout), so a slow attempt is not sent twice.
      leaseSeconds: integer(env, 'DELIVERY_LEASE_SECONDS', 60, 20, 3600),
      concurrency: integer(env, 'DELIVERY_CONCURRENCY', 32, 1, 256),
    },
    dataDir: path.resolve(optional(env, 'DATA_DIR') ?? '.data'),
    logLevel,
    autoCloseAfterSeconds: duration(env, 'AUTO_CLOSE_AFTER', '7d'),
    jobIntervalSeconds: integer(env, 'JOB_INTERVAL_SECONDS', 60, 0, 24 * 3600),
    slaWarnAt: share(env, 'SLA_WARN_AT', 0.8),
    accountMail: {
      invitationTtlSeconds: duration(env, 'INVITATION_TTL', '7d'),
      passwordResetTtlSeconds: duration(env, 'PASSWORD_RESET_TTL', '1h'),
      resetRequestsPerHour: integer(env, 'PASSWORD_RESET_REQUESTS_PER_HOUR', 5, 1, 1000),
    },
    feed: {
      consumers: boolean(env, 'FEED_CONSUMERS', true),
      leaseSeconds: integer(env, 'FEED_LEASE_SECONDS', 10, 1, 3600),
      retrySeconds: integer(env, 'FEED_RETRY_SECONDS', 1, 1, 3600),
    },
    submitRateLimit: {
      points: integer(env, 'SUBMIT_RATE_LIMIT', 10, 1, 1_000_000),
      windowSeconds: integer(env, 'SUBMIT_RATE_WINDOW_SECONDS', 600, 1, 7 * 24 * 3600),
    },
    trustProxy: boolean(env, 'TRUST_PROXY'),
    inboundEmailSecret,
    inboundEmailMaxBytes: integer(env, 'INBOUND_EMAIL_MAX_BYTES', 10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    inboundAuthservId,
    wsMaxSubscriptions: integer(env, 'WS_MAX_SUBSCRIPTIONS', 20, 1, 1000),
    wsKeepAliveSeconds: integer(env, 'WS_KEEPALIVE_SECONDS', 30, 1, 3600),
    database: {
      poolMax: integer(env, 'DB_POOL_MAX', 10, 1, 1000),
      acquireTimeoutMs: integer(env, 'DB_ACQUIRE_TIMEOUT_MS', 5000, 100, 600_000),
      statementTimeoutMs: integer(env, 'DB_STATEMENT_TIMEOUT_MS', 15_000, 100, 3_600_000),
    },
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
    // On by default: partners generate their clients from it.
    introspection: boolean(env, 'INTROSPECTION', true),
    graphiql: boolean(env, 'GRAPHIQL', true),
    metrics: { token: metricsToken, port: optional(env, 'METRICS_PORT') === undefined ? undefined : integer(env, 'METRICS_PORT', 0, 0, 65535) },
    loginThrottle: {
      maxFailuresPerAccount: integer(env, 'LOGIN_MAX_FAILURES', 5, 1, 1_000_000),
      maxFailuresPerAddress: integer(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 20, 1, 1_000_000),
      windowSeconds: integer(env, 'LOGIN_THROTTLE_SECONDS', 900, 1, 24 * 3600),
    },
    queryLimits: {
      maxDepth: integer(env, 'MAX_QUERY_DEPTH', 12, 1, 1000),
      maxAliases: integer(env, 'MAX_ALIASES', 30, 0, 10_000),
      maxRootFields: integer(env, 'MAX_ROOT_FIELDS', 10, 1, 1000),
      maxTokens: integer(env, 'MAX_TOKENS', 10_000, 100, 1_000_000),
      maxIntrospectionFields: integer(env, 'MAX_INTROSPECTION_FIELDS', 300, 1, 100_000),
      maxCost: integer(env, 'MAX_QUERY_COST', 25_000, 1, 100_000_000),
      maxSubscriptionCost: integer(env, 'MAX_SUBSCRIPTION_COST', 1000, 1, 100_000_000),
    },
    requestRateLimit: {
      points: integer(env, 'RATE_LIMIT_POINTS', 600, 1, 100_000_000),
      anonymousPoints: integer(env, 'RATE_LIMIT_ANONYMOUS_POINTS', 120, 1, 100_000_000),
      windowSeconds: integer(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 24 * 3600),
    },
    webhooks: {
      allowPrivate: boolean(env, 'WEBHOOK_ALLOW_PRIVATE'),
      // At most 15 s: an attempt must end within the delivery claim (DELIVERY_LEASE_SECONDS, 20 s at least), or it is sent twice.
      timeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 15_000, 100, 15_000),
    },
  };
}
