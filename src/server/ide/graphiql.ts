import express, { type Request, type Router } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

/**
 * Everything the page may load comes from this server: scripts, styles, the font, Monaco's workers
 * (`worker-src`), and requests and subscriptions to /graphql (`connect-src 'self'` covers ws:// to
 * the same host). No inline script or style, no eval.
 */
export const IDE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Where scripts/build-ide.mjs writes the bundle: dist/ide/ under the project root, found from this file in src/ (tests) or dist/src/ (npm start). */
function assetsDir(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return path.join(dir, 'dist/ide');
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ticketgraph GraphiQL</title>
<base href="/ide/">
<link rel="stylesheet" href="graphiql.css">
<script type="module" src="graphiql.js"></script>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
</body>
</html>
`;

/** A browser opening the endpoint: a GET asking for HTML first and carrying no query (a GET with `?query=` is a GraphQL request). */
function wantsPage(req: Request): boolean {
  return req.method === 'GET' && req.query.query === undefined && req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
}

/**
 * GraphiQL 5 at `/graphql` for browsers (GRAPHIQL=false turns it off), its bundle under `/ide/`.
 * Mount before the GraphQL middleware: it answers only a browser's GET and passes everything else on.
 */
export function graphiqlRouter(logger: Logger): Router {
  const dir = assetsDir();
  if (!existsSync(path.join(dir, 'graphiql.js'))) logger.warn({ dir }, 'GraphiQL is not built (run npm run build): /graphql serves its page without the IDE');
  const router = express.Router();
  router.get('/graphql', (req, res, next) => {
    // The same URL answers HTML or JSON by Accept: caches must keep them apart.
    res.vary('accept');
    if (!wantsPage(req)) {
      next();
      return;
    }
    res.set('content-security-policy', IDE_CSP).type('html').send(PAGE);
  });
  router.use('/ide', (_req, res, next) => {
    res.set('content-security-policy', IDE_CSP);
    next();
  });
  router.use('/ide', express.static(dir, { index: false }));
  return router;
}
