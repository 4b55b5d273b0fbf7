// Stops the e2e workers' nats-servers (nats-per-worker.setup.js) and removes their stores.
const { rmSync } = require('node:fs');

module.exports = async () => {
  for (const { child, storeDir } of globalThis.__E2E_NATS__ ?? []) {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      // An unref'd timer: once the server is gone, nothing keeps jest from exiting.
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(storeDir, { recursive: true, force: true });
  }
};
