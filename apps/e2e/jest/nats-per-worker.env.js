// Jest setupFiles of the e2e suite: this worker's own nats-server (nats-per-worker.setup.js) becomes
// NATS_URL before a spec imports @switchyard/testing, so testInfra.natsUrl, the stacks it starts and the
// CLI runs it spawns all use it.
const urls = (process.env.E2E_NATS_URLS ?? '').split(',').filter(Boolean);
if (urls.length > 0) process.env.NATS_URL = urls[(Number(process.env.JEST_WORKER_ID ?? '1') - 1) % urls.length];
