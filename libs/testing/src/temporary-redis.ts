import { type ChildProcess, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { acceptsConnections, killAndWait } from './accepts-connections';
import { freePort } from '@switchyard/launcher';

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

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    this.child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100; i++) {
      if (await acceptsConnections(this.port)) return;
      await sleep(50);
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  async stop(): Promise<void> {
    await killAndWait(this.child);
  }
}
