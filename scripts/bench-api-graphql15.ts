import Module from 'node:module';
import path from 'node:path';

/**
 * Makes every `require('graphql…')` of this process load PostGraphile's own graphql 15. Imported by
 * bench-api-postgraphile.ts before PostGraphile itself. npm nests graphql 15 under postgraphile and
 * under graphile-build-pg separately, and hoists graphql-parse-resolve-info (shared with the app) next
 * to the app's graphql 16: left alone, PostGraphile's schema would mix three copies of graphql and
 * refuse to run ("Cannot use GraphQLScalarType from another module or realm"). Node offers no
 * public hook for this in CommonJS; `_resolveFilename` is the one every module aliaser uses. Only
 * this bench process does it, never the app.
 */
const graphql15 = path.dirname(require.resolve('graphql/package.json', { paths: [path.dirname(require.resolve('postgraphile/package.json'))] }));
const internals = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
const resolve = internals._resolveFilename;
internals._resolveFilename = function (request: string, ...rest: unknown[]) {
  const own = request === 'graphql' || request.startsWith('graphql/') ? graphql15 + request.slice('graphql'.length) : request;
  return resolve.call(this, own, ...rest);
};
