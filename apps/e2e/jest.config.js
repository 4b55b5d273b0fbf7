// Starts the six built services as separate processes and drives them through NATS and HTTP. Two spec
// files at a time, each worker on a nats-server of its own (jest/nats-per-worker.*.js).
module.exports = require('../../jest.preset.js').forProject('e2e', __dirname, {
  testTimeout: 120_000,
  maxWorkers: 2,
  globalSetup: '<rootDir>/jest/nats-per-worker.setup.js',
  globalTeardown: '<rootDir>/jest/nats-per-worker.teardown.js',
  setupFiles: ['<rootDir>/jest/nats-per-worker.env.js'],
});
