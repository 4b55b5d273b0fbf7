import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@switchyard/launcher';
import { acceptsConnections } from './accepts-connections';

export interface StartServerOptions {
  /** What the server is called in errors. */
  name: string;
  /**
   * Starts the server listening on `port`. Its piped output is read here (drained for as long as it runs)
   * and the end of it goes in errors.
   */
  spawn: (port: number) => ChildProcess | Promise<ChildProcess>;
  /** A port it must use (a restart on its old port); without it a free one is picked. */
  port?: number;
  /** Picks of a free port before giving up (default 3); a fixed port is tried once. */
  attempts?: number;
  /** How long one start may take to accept connections (default 10 s). */
  timeoutMs?: number;
}

/** How much of a child's output an error quotes. */
const OUTPUT_KEPT = 4000;

/** How long the child must still be running after its port first accepts a connection. */
const SETTLE_MS = 100;

/**
 * Starts a server a test owns and waits until its port accepts connections and the child still runs. A free
 * port is picked and bound by the child a moment later, so another process may take it in between: the
 * child then exits (address in use) while the port answers for the other one. A child that exits before it
 * is up is started again on another free port, up to `attempts` times; a port that answers while the child
 * has exited is never taken for it.
 */
export async function startServer(options: StartServerOptions): Promise<{ child: ChildProcess; port: number }> {
  const attempts = options.port === undefined ? (options.attempts ?? 3) : 1;
  const timeoutMs = options.timeoutMs ?? 10_000;
  let exited = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = options.port ?? (await freePort());
    const child = await options.spawn(port);
    let output = '';
    const keep = (data: Buffer) => (output = (output + data.toString()).slice(-OUTPUT_KEPT));
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const said = () => (output.trim() ? `: ${output.trim()}` : '');
    const deadline = Date.now() + timeoutMs;
    const running = () => child.exitCode === null && child.signalCode === null;
    while (running() && Date.now() < deadline) {
      if (await acceptsConnections(port)) {
        await sleep(SETTLE_MS);
        if (running()) return { child, port };
        break;
      }
      await sleep(50);
    }
    if (running()) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} did not accept connections on port ${port} within ${timeoutMs} ms${said()}`);
    }
    exited = `${options.name} exited on port ${port} (${child.exitCode ?? child.signalCode})${said()}`;
  }
  throw new Error(attempts > 1 ? `${exited} (after ${attempts} ports)` : exited);
}
