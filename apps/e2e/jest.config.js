// Starts the six built services as separate processes and drives them through NATS and HTTP.
module.exports = { displayName: 'e2e', preset: '../../jest.preset.js', rootDir: __dirname, testTimeout: 120_000, maxWorkers: 1 };
