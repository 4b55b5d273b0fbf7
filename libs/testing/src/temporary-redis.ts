import { type ChildProcess, spawn } from 'node:child_process';
import { killAndWait } from './accepts-connections';
import { startServer } from './start-server';

/**
 * A redis-server of a test's own on a free loopback port, which the test may stop and start again to
 * see how code behaves while Redis is away. Needs the redis-server binary (scripts/infra.sh needs it too).
 */
export class TemporaryRedis {
  private child: ChildProcess | undefined;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it: on a free port the first time, on the same port again after a stop. */
  async start(): Promise<void> {
    const { child, port } = await startServer({
      name: 'redis-server',
      port: this.port === 0 ? undefined : this.port,
      spawn: (port) =>
        spawn(
          'redis-server',
          ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        ),
    });
    this.child = child;
    this.port = port;
  }

  async stop(): Promise<void> {
    await killAndWait(this.child);
  }
}
