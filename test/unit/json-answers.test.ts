import express from 'express';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { errorsAsJson, notFoundAsJson } from '../../src/server/json-answers';

/**
 * The last handlers of the HTTP chain, on a real express app: a failure nothing else caught is a JSON
 * 500 without its message or stack (express's own handler would send an HTML page with the stack).
 */
async function withServer(work: (base: string) => Promise<void>) {
  const app = express();
  app.get('/boom', () => {
    throw new Error('secret detail at /src/thing.ts:12:3');
  });
  app.post('/inbound/email/boom', () => {
    throw new Error('secret detail');
  });
  app.use(notFoundAsJson);
  app.use(errorsAsJson(pino({ level: 'silent' })));
  const server = app.listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    await work(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

it('answers an unexpected failure as a JSON 500 without detail, in the shape of the path', async () => {
  await withServer(async (base) => {
    const graphql = await fetch(`${base}/boom`);
    expect(graphql.status).toBe(500);
    expect(graphql.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await graphql.json()).toEqual({ errors: [{ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });

    const inbound = await fetch(`${base}/inbound/email/boom`, { method: 'POST' });
    expect(inbound.status).toBe(500);
    expect(await inbound.json()).toEqual({ error: { code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error.' } });
  });
});
