import express, { type RequestHandler } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { Metrics } from './metrics';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** GET /metrics in Prometheus's text format; with a token, only for `Authorization: Bearer <token>` (else 401). */
export function metricsHandler(metrics: Metrics, token: string | undefined): RequestHandler {
  const expected = token === undefined ? undefined : digest(`Bearer ${token}`);
  return async (req, res, next) => {
    try {
      // Compared as digests of equal length, in constant time: the answer's timing does not reveal the token.
      if (expected && !timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
        res.status(401).set('www-authenticate', 'Bearer').json({ errors: [{ message: 'The metrics need the bearer token METRICS_TOKEN.', extensions: { code: 'UNAUTHENTICATED' } }] });
        return;
      }
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    } catch (error) {
      next(error);
    }
  };
}

/** METRICS_PORT: /metrics on a listener of its own (for a network only the scraper reaches); nothing else is served there. */
export async function startMetricsServer(metrics: Metrics, port: number, token: string | undefined): Promise<{ port: number; close(): Promise<void> }> {
  const app = express();
  app.get('/metrics', metricsHandler(metrics, token));
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
