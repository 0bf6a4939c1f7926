import type { ApolloServerPlugin } from '@apollo/server';
import type { MikroORM } from '@mikro-orm/postgresql';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeliveryDispatcher } from '../../modules/deliveries/dispatcher';

/** Distinct operation names kept as label values; later new names count as "other" (clients choose names freely). */
const MAX_OPERATION_NAMES = 200;

/** Feed lag is counted up to this many entries: beyond it the figure says "at least". */
const MAX_LAG_COUNTED = 100_000;

/** The pool the ORM's knex draws connections from (tarn), as far as the metrics read it. */
interface Pool {
  numUsed(): number;
  numPendingAcquires(): number;
}

/**
 * Prometheus metrics of one app (a registry of its own: tests run several apps in one process).
 * Request figures are counted as they happen; sockets, feed lag and the pool are read at each scrape.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly names = new Set<string>();
  private readonly duration = new Histogram({
    name: 'ticketgraph_graphql_request_duration_seconds',
    help: 'GraphQL requests over HTTP, from the start of the request to the answer, by operation name and type.',
    labelNames: ['operation_name', 'operation_type'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'ticketgraph_graphql_errors_total',
    help: 'Errors in GraphQL answers over HTTP, by extensions.code.',
    labelNames: ['code'],
    registers: [this.registry],
  });
  private readonly cost = new Histogram({
    name: 'ticketgraph_graphql_operation_cost',
    help: 'The cost (extensions.cost.requested) of operations answered without errors, by operation type.',
    labelNames: ['operation_type'],
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000],
    registers: [this.registry],
  });
  private readonly deliveries = new Counter({
    name: 'ticketgraph_delivery_attempts_total',
    help: 'Recorded attempts of outgoing mail and webhooks, by channel and outcome (delivered, retry, failed, cancelled).',
    labelNames: ['channel', 'outcome'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'ticketgraph_' });
  }

  /** Counts HTTP GraphQL requests: duration, errors, cost. */
  plugin(): ApolloServerPlugin {
    return {
      requestDidStart: async () => {
        const started = process.hrtime.bigint();
        const labels = { operation_name: 'unknown', operation_type: 'unknown' };
        return {
          didResolveOperation: async ({ operation, operationName }) => {
            if (!operation) return;
            const name = operationName ?? 'anonymous';
            labels.operation_type = operation.operation;
            labels.operation_name = this.names.has(name) || this.names.size < MAX_OPERATION_NAMES ? (this.names.add(name), name) : 'other';
          },
          didEncounterErrors: async ({ errors }) => {
            for (const error of errors) this.errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') });
          },
          willSendResponse: async ({ response }) => {
            this.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
            if (response.body.kind !== 'single' || response.body.singleResult.errors) return;
            const cost = (response.body.singleResult.extensions?.cost as { requested?: number } | undefined)?.requested;
            if (typeof cost === 'number') this.cost.observe({ operation_type: labels.operation_type }, cost);
          },
        };
      },
    };
  }

  /** WebSocket connections and running subscriptions, read at each scrape. */
  watchSockets(counts: () => { connections: number; subscriptions: number }): void {
    new Gauge({
      name: 'ticketgraph_websocket_connections',
      help: 'Open graphql-ws connections on this instance.',
      registers: [this.registry],
      collect() {
        this.set(counts().connections);
      },
    });
    new Gauge({
      name: 'ticketgraph_subscriptions_active',
      help: 'Subscriptions running on this instance.',
      registers: [this.registry],
      collect() {
        this.set(counts().subscriptions);
      },
    });
  }

  /** The ORM pool's connections in use and requests waiting for one. */
  watchPool(orm: MikroORM): void {
    const pool = () => (orm.em.getConnection().getKnex().client as { pool?: Pool }).pool;
    new Gauge({
      name: 'ticketgraph_db_pool_connections_in_use',
      help: 'Database pool connections in use on this instance.',
      registers: [this.registry],
      collect() {
        this.set(pool()?.numUsed() ?? 0);
      },
    });
    new Gauge({
      name: 'ticketgraph_db_pool_waiting',
      help: 'Requests waiting for a database pool connection on this instance.',
      registers: [this.registry],
      collect() {
        this.set(pool()?.numPendingAcquires() ?? 0);
      },
    });
  }

  /**
   * How far behind the timeline each feed consumer is: the entries after its checkpoint and below the
   * watermark (every entry below it is decided), counted up to MAX_LAG_COUNTED so that a scrape stays
   * one short index range even when a consumer is far behind. Read from the database: the same on
   * every instance.
   */
  watchFeed(orm: MikroORM): void {
    new Gauge({
      name: 'ticketgraph_feed_consumer_lag',
      help: `Timeline entries a feed consumer has yet to apply (counted up to ${MAX_LAG_COUNTED}).`,
      labelNames: ['consumer'],
      registers: [this.registry],
      async collect() {
        const rows = await orm.em.fork().getConnection().execute<{ consumer: string; lag: number }[]>(
          `select checkpoint.consumer,
                  (select count(*) from (select 1 from ticket_event entry
                                          where entry.position > checkpoint.position and entry.position < now.watermark
                                          limit ${MAX_LAG_COUNTED}) behind)::int as lag
             from feed_checkpoint checkpoint, (select timeline_watermark() as watermark) now`,
        );
        this.reset();
        for (const row of rows) this.set({ consumer: row.consumer }, row.lag);
      },
    });
  }

  /** Counts the outcomes the dispatcher records. */
  watchDeliveries(dispatcher: DeliveryDispatcher): void {
    dispatcher.onOutcome((channel, outcome) => this.deliveries.inc({ channel, outcome }));
  }
}
