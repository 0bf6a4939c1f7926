/**
 * Lets a child process of a test run TypeScript (`node -r ./test/setup/swc-register.js child.ts`),
 * compiled as jest compiles it.
 */
const fs = require('node:fs');
const { transformSync } = require('@swc/core');
const options = require('./swc-options');

require('reflect-metadata');
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};
