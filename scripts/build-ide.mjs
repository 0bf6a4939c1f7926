// Bundles GraphiQL (src/server/ide/browser) and Monaco's workers from node_modules into dist/ide/, which
// the server serves under /ide/. Part of `npm run build`: the packages ship ES modules with bare
// imports, which a browser cannot load without a bundler, and the page may load nothing from a CDN.
import { build } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist/ide');
const common = {
  bundle: true,
  minify: true,
  target: 'es2022',
  logLevel: 'warning',
  absWorkingDir: root,
  define: { 'process.env.NODE_ENV': '"production"' },
};

const browserDir = path.join(root, 'src/server/ide/browser');
const inputs = [path.join(root, 'package-lock.json'), fileURLToPath(import.meta.url), ...readdirSync(browserDir).map((name) => path.join(browserDir, name))];
const outputs = ['graphiql.js', 'graphiql.css', 'editor.worker.js', 'json.worker.js', 'graphql.worker.js'].map((name) => path.join(outdir, name));
const newestInput = Math.max(...inputs.map((file) => statSync(file).mtimeMs));
// Bundling takes seconds and `npm start` builds every time: skip it while the bundle is newer than what it is made of.
const fresh = outputs.every((file) => existsSync(file) && statSync(file).mtimeMs > newestInput);

if (!fresh) await Promise.all([
  build({
    ...common,
    entryPoints: { graphiql: 'src/server/ide/browser/main.js' },
    outdir,
    format: 'esm',
    // Monaco's codicon font, referenced by its CSS.
    loader: { '.ttf': 'file' },
    assetNames: '[name]',
  }),
  build({
    ...common,
    entryPoints: {
      'editor.worker': 'monaco-editor/esm/vs/editor/editor.worker.js',
      'json.worker': 'monaco-editor/esm/vs/language/json/json.worker.js',
      'graphql.worker': 'monaco-graphql/esm/graphql.worker.js',
    },
    outdir,
    format: 'iife',
  }),
]);
