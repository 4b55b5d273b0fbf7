import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAndWait } from './accepts-connections';
import { startServer } from './start-server';

/** Where scripts/infra.sh builds FerretDB (its SWITCHYARD_CACHE). */
function ferretdbBinary(): string {
  const cache =
    process.env['SWITCHYARD_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'switchyard');
  return join(cache, 'bin', 'ferretdb-v1.24.2-idx');
}

/**
 * A MongoDB-wire server of a test's own (the FerretDB scripts/infra.sh builds, on SQLite in a temporary
 * folder, a free loopback port), which the test may stop and start again to see how services ride out a
 * database outage. Its data survives a stop: the same folder is used again.
 */
export class TemporaryFerretDb {
  private child: ChildProcess | undefined;
  private readonly dataDir = mkdtempSync(join(tmpdir(), 'ferretdb-'));
  port = 0;

  uriFor(database: string): string {
    return `mongodb://127.0.0.1:${this.port}/${database}`;
  }

  /** Starts it: on a free port the first time, on the same port again after a stop. */
  async start(): Promise<void> {
    const binary = ferretdbBinary();
    if (!existsSync(binary))
      throw new Error(`no FerretDB at ${binary}: run scripts/infra.sh up without MONGODB_URI once to build it`);
    const { child, port } = await startServer({
      name: 'FerretDB',
      port: this.port === 0 ? undefined : this.port,
      spawn: (port) =>
        spawn(
          binary,
          [
            '--handler=sqlite',
            `--sqlite-url=file:${this.dataDir}/`,
            `--listen-addr=127.0.0.1:${port}`,
            '--debug-addr=127.0.0.1:0',
            '--telemetry=disable',
            `--state-dir=${this.dataDir}`,
            '--log-level=error',
          ],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        ),
    });
    this.child = child;
    this.port = port;
  }

  /** Stops it at once (SIGKILL: an outage, not a maintenance window). */
  async stop(): Promise<void> {
    await killAndWait(this.child);
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
