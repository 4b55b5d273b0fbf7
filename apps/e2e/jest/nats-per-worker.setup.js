// Jest globalSetup of the e2e suite: one nats-server with JetStream per jest worker (the installed binary,
// free loopback ports, a store of its own), so two spec files can run at once without sharing NATS. Each
// stack's services join queue groups by subject, and two stacks on one server would take each other's
// messages; Redis keys, queues and MongoDB databases are already per stack (uniqueName). The URLs go to the
// workers in E2E_NATS_URLS; nats-per-worker.env.js picks the worker's own.
const { spawn } = require('node:child_process');
const { mkdtempSync } = require('node:fs');
const { createServer, connect } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function startNats() {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'e2e-nats-js-'));
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  let failed;
  child.stderr.on('data', (d) => (output += d));
  child.on('error', (err) => (failed = err));
  for (let i = 0; i < 200; i++) {
    if (failed)
      throw new Error(
        `the e2e suite starts a nats-server per jest worker and could not run nats-server: ${failed.message}`,
      );
    if (child.exitCode !== null) throw new Error(`nats-server for the e2e workers exited: ${output}`);
    if (await accepts(port)) return { url: `nats://127.0.0.1:${port}`, child, storeDir };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`nats-server for the e2e workers did not start on port ${port}: ${output}`);
}

module.exports = async (globalConfig) => {
  const servers = [];
  for (let i = 0; i < globalConfig.maxWorkers; i++) servers.push(await startNats());
  globalThis.__E2E_NATS__ = servers;
  // Interrupted (Ctrl-C), jest exits without its global teardown: the servers go with it.
  process.once('exit', () => servers.forEach((s) => s.child.exitCode === null && s.child.kill('SIGKILL')));
  process.env.E2E_NATS_URLS = servers.map((s) => s.url).join(',');
};
