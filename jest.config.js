/** Tests run TypeScript through SWC. */
const swc = require('./test/setup/swc-options');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', swc],
    // email-reply-parser ships ES modules only; jest on Node 20 cannot require them untransformed.
    '/node_modules/email-reply-parser/.+\\.js$': ['@swc/jest', { ...swc, jsc: { ...swc.jsc, parser: { syntax: 'ecmascript' } } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!email-reply-parser/)'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFiles: ['reflect-metadata'],
  // Two cores: two workers, each with its own databases.
  maxWorkers: 2,
  // A limit stops a hang, not a slow run: on a machine with a load average of 10 or more, heavy tests
  // (the reports' roll-ups, SLA jobs on two instances) take several times their minute-or-less alone.
  testTimeout: 300_000,
};
