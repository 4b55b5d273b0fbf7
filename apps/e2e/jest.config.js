// Starts the six built services as separate processes and drives them through NATS and HTTP.
module.exports = require('../../jest.preset.js').forProject('e2e', __dirname, { testTimeout: 120_000, maxWorkers: 1 });
