// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const importX = require('eslint-plugin-import-x');
const { createTypeScriptImportResolver } = require('eslint-import-resolver-typescript');

const MIGRATION_IMPORTS = 'A migration holds the SQL it ran: write the statement out instead of importing it (docs/architecture.md, "Migrations are history").';

module.exports = tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/__generated__/**', '.data/**', 'coverage/**', 'examples/*/src/__generated__/**', 'examples/*/dist/**', 'examples/*/node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Destructuring away a field (`{ secret: _secret, ...rest }`) is how we drop columns from rows.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-console': 'off',
    },
  },
  {
    // Values are bound and subqueries composed as query builders: never a query's rendered text pasted into another statement.
    files: ['src/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='toQuery']", message: 'Bind the query builder (knex.raw(sql, [builder])) instead of pasting its toQuery() text.' },
      ],
    },
  },
  // Feature modules depend on one another in one direction: a cycle means a shared type belongs lower
  // down (src/shared, or the module both use). Type-only imports are erased and do not count. Only
  // src/modules is checked: the rule follows every import it meets and is already the costliest one we
  // run (3 to 5 s of `npm run lint` on our busy 2-core machine), and the cycles that hurt (load order,
  // a decorator's class still undefined) are between features. test/unit/import-cycles.test.ts shows
  // it refusing a cycle.
  {
    files: ['src/modules/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${__dirname}/tsconfig.json` })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  // Migrations are history: each holds the SQL it ran, so none may import code that can change later
  // (application code, or another migration's helpers). Only MikroORM and node built-ins; the list of
  // migrations (index.ts) imports the migrations themselves.
  {
    files: ['src/db/migrations/**/*.ts'],
    ignores: ['src/db/migrations/index.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!@mikro-orm/[^/]+$|node:)', message: MIGRATION_IMPORTS }] }] },
  },
  {
    files: ['src/db/migrations/index.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!@mikro-orm/[^/]+$|node:|\\./Migration\\d{14}_\\w+$)', message: MIGRATION_IMPORTS }] }] },
  },
  {
    // GraphiQL's page: browser code, bundled by scripts/build-ide.mjs.
    files: ['src/server/ide/browser/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: { document: 'readonly', location: 'readonly', Worker: 'readonly', URL: 'readonly', CSSStyleSheet: 'readonly', MutationObserver: 'readonly' },
    },
  },
  {
    files: ['*.js', 'test/setup/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
